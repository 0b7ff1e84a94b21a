import { useTranslation } from 'react-i18next';
import { NotificationOffer } from '../components/NotificationOffer.js';
import { AddChild } from '../components/AddChild.js';
import { ChildAvatar, ChildBirthday, ChildProfileEditor } from '../components/ChildProfile.js';
import { EmptyState, Page } from '../components/Page.js';
import { ToyPresence } from '../components/ToyPresence.js';
import { VoiceBubble } from '../components/VoiceBubble.js';
import { useGuardian } from '../context.js';
import { follow } from '../router.js';

export function NotInRosterNotice() {
  const [state, guardian] = useGuardian();
  const { t } = useTranslation();
  if (state.inRoster || !state.familyId) return null;
  const isGuardian = state.role === 'guardian';
  return (
    <div className="card warn" role="note" aria-labelledby="not-in-roster-title">
      <h2 id="not-in-roster-title">{t('notInRoster.title')}</h2>
      <p>
        {t('notInRoster.body')} {isGuardian ? t('notInRoster.guardianWhere') : t('notInRoster.memberWhere')}{' '}
        {t('notInRoster.opensItself')}
      </p>
      <p>{t('notInRoster.compare')}</p>
      <p className="mono fingerprint" data-testid="waiting-fingerprint">
        {guardian.devices.fingerprint()}
      </p>
      {isGuardian ? (
        <p>
          <a href="/recover" onClick={follow}>
            {t('notInRoster.lostPhone')}
          </a>{' '}
          {t('notInRoster.recoverHint')}
        </p>
      ) : (
        <p>{t('notInRoster.memberLost')}</p>
      )}
    </div>
  );
}

/** Each child with their toy, and the conversation with the toy as a timeline of voice bubbles. */
export function Home() {
  const [state, guardian] = useGuardian();
  const { t } = useTranslation();
  const conversation = state.messages;
  return (
    <Page title={t('home.title')}>
      <NotInRosterNotice />
      <ul className="children" aria-label={t('home.yourChildren')}>
        {state.children.map((child) => {
          const toys = state.toys.filter((t) => t.childId === child.childId);
          return (
            <li key={child.childId} className="card child">
              <ChildAvatar child={child} />
              <div>
                <h2>{child.name}</h2>
                {child.birthday ? (
                  <p>
                    <ChildBirthday child={child} />
                  </p>
                ) : null}
                {toys.length === 0 ? (
                  <p>
                    {t('home.noToy')}{' '}
                    <a href="/toys" onClick={follow}>
                      {t('home.pairToy', { child: child.name })}
                    </a>
                  </p>
                ) : (
                  toys.map((toy) => {
                    const waiting = toy.unplayed;
                    return (
                      <p key={toy.toyId} className="toy-line" data-toy-id={toy.toyId}>
                        <strong>{guardian.names.toyName(toy.toyId)}</strong> ·{' '}
                        <ToyPresence online={toy.online} lastSeenAt={toy.lastSeenAt} /> ·{' '}
                        <span className="unplayed" data-unplayed={waiting}>
                          {waiting === 0 ? t('home.allPlayed') : t('home.notPlayed', { count: waiting })}
                        </span>
                      </p>
                    );
                  })
                )}
                {state.role === 'guardian' && state.inRoster ? <ChildProfileEditor child={child} /> : null}
              </div>
              {toys.length > 0 ? (
                <a className="button primary" href="/talk" onClick={follow}>
                  {t('home.talk')}
                </a>
              ) : null}
            </li>
          );
        })}
      </ul>
      {state.role === 'guardian' ? <AddChild /> : null}
      {state.toys.length > 0 && state.inRoster ? (
        <NotificationOffer childName={state.children[0]?.name ?? t('common.yourChild')} />
      ) : null}
      <section aria-labelledby="conversation-title">
        <h2 id="conversation-title">{t('home.conversation')}</h2>
        {conversation.length === 0 ? (
          <EmptyState icon="chat" title={t('home.noMessages')}>
            <p>{t('home.noMessagesHint')}</p>
            <a className="button" href="/talk" onClick={follow}>
              {t('home.record')}
            </a>
          </EmptyState>
        ) : (
          <ol className="timeline" aria-label={t('home.timeline')}>
            {conversation.map((m) => (
              <VoiceBubble
                key={m.messageId}
                message={m}
                sender={guardian.names.senderLabel(m)}
                mine={m.from === state.deviceId}
                receipt={state.receipts[m.messageId]}
                onPlayed={() => void guardian.messages.markHeard(m.messageId)}
                onDelete={
                  guardian.messages.canDelete(m)
                    ? () => guardian.messages.deleteMessage(m.messageId)
                    : undefined
                }
              />
            ))}
          </ol>
        )}
      </section>
    </Page>
  );
}
