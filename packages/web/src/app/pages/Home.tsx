import { NotificationOffer } from '../components/NotificationOffer.js';
import { AddChild } from '../components/AddChild.js';
import { EmptyState, Page } from '../components/Page.js';
import { ToyPresence } from '../components/ToyPresence.js';
import { VoiceBubble } from '../components/VoiceBubble.js';
import { useGuardian } from '../context.js';
import { follow } from '../router.js';

export function NotInRosterNotice() {
  const [state, guardian] = useGuardian();
  if (state.inRoster || !state.familyId) return null;
  const isGuardian = state.role === 'guardian';
  return (
    <div className="card warn" role="note" aria-labelledby="not-in-roster-title">
      <h2 id="not-in-roster-title">Approve this browser from your other device</h2>
      <p>
        This browser made its own keys, and the family has not approved them yet, so it cannot send or open
        messages.{' '}
        {isGuardian
          ? 'On a phone or computer already in the family (the one you set Burrow up on), open Family: this browser is listed under “New devices waiting”. Approve it there.'
          : 'Ask a guardian of the family to open Family on their phone or computer: this browser is listed under “New devices waiting” for them to approve.'}{' '}
        This page opens the family by itself once it is approved.
      </p>
      <p>Check that both screens show the same fingerprint before approving:</p>
      <p className="mono fingerprint" data-testid="waiting-fingerprint">
        {guardian.fingerprint()}
      </p>
      {isGuardian ? (
        <p>
          <a href="/recover" onClick={follow}>
            Lost your phone?
          </a>{' '}
          If no other device or guardian of the family is left to approve this one, recover with a recovery code and
          the toy.
        </p>
      ) : (
        <p>Lost your phone? A guardian of the family approves this browser, as above.</p>
      )}
    </div>
  );
}

/** Each child with their toy, and the conversation with the toy as a timeline of voice bubbles. */
export function Home() {
  const [state, guardian] = useGuardian();
  const conversation = state.messages;
  return (
    <Page title="Home">
      <NotInRosterNotice />
      <ul className="children" aria-label="Your children">
        {state.children.map((child) => {
          const toys = state.toys.filter((t) => t.childId === child.childId);
          return (
            <li key={child.childId} className="card child">
              <span className="avatar" aria-hidden="true">
                {child.name.slice(0, 1).toUpperCase()}
              </span>
              <div>
                <h2>{child.name}</h2>
                {toys.length === 0 ? (
                  <p>
                    No toy yet.{' '}
                    <a href="/toys" onClick={follow}>
                      Pair {child.name}’s toy
                    </a>
                  </p>
                ) : (
                  toys.map((toy) => {
                    const waiting = toy.unplayed;
                    return (
                      <p key={toy.toyId} className="toy-line" data-toy-id={toy.toyId}>
                        <strong>{guardian.toyName(toy.toyId)}</strong> ·{' '}
                        <ToyPresence online={toy.online} lastSeenAt={toy.lastSeenAt} /> ·{' '}
                        <span className="unplayed" data-unplayed={waiting}>
                          {waiting === 0
                            ? 'all messages played'
                            : `${waiting} message${waiting === 1 ? '' : 's'} not played yet`}
                        </span>
                      </p>
                    );
                  })
                )}
              </div>
              {toys.length > 0 ? (
                <a className="button primary" href="/talk" onClick={follow}>
                  Talk
                </a>
              ) : null}
            </li>
          );
        })}
      </ul>
      {state.role === 'guardian' ? <AddChild /> : null}
      {state.toys.length > 0 && state.inRoster ? <NotificationOffer childName={state.children[0]?.name ?? 'your child'} /> : null}
      <section aria-labelledby="conversation-title">
        <h2 id="conversation-title">Conversation</h2>
        {conversation.length === 0 ? (
          <EmptyState icon="chat" title="No messages yet">
            <p>Record a hello on the Talk page; your child’s answers will appear here too.</p>
            <a className="button" href="/talk" onClick={follow}>
              Record a message
            </a>
          </EmptyState>
        ) : (
          <ol className="timeline" aria-label="Messages, oldest first">
            {conversation.map((m) => (
              <VoiceBubble
                key={m.messageId}
                message={m}
                sender={guardian.senderLabel(m)}
                mine={m.from === state.deviceId}
                receipt={state.receipts[m.messageId]}
                onPlayed={() => void guardian.markHeard(m.messageId)}
                onDelete={guardian.canDelete(m) ? () => guardian.deleteMessage(m.messageId) : undefined}
              />
            ))}
          </ol>
        )}
      </section>
    </Page>
  );
}
