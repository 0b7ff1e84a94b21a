import { EmptyState, Page } from '../components/Page.js';
import { ToyPresence } from '../components/ToyPresence.js';
import { VoiceBubble } from '../components/VoiceBubble.js';
import { useGuardian } from '../context.js';
import { follow } from '../router.js';

export function NotInRosterNotice() {
  const [state] = useGuardian();
  if (state.inRoster || !state.familyId) return null;
  return (
    <div className="card warn" role="note">
      <h2>This browser is not in your family yet</h2>
      <p>
        It has its own keys, and the family’s list of devices does not include them, so it cannot open or send
        messages. Use the browser you set the family up with.
      </p>
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
              />
            ))}
          </ol>
        )}
      </section>
    </Page>
  );
}
