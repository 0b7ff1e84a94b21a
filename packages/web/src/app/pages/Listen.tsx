import { useTranslation } from 'react-i18next';
import { EmptyState, Page } from '../components/Page.js';
import { VoiceBubble } from '../components/VoiceBubble.js';
import { useGuardian } from '../context.js';
import { NotInRosterNotice } from './Home.js';

/**
 * The child's recordings, newest first; new ones arrive over the stream without a reload. A guardian
 * hears everything said to and by the child (docs/protocol.md §7), so for guardians Listen is the
 * whole conversation, with "Keep on toy" on each message to the toy (docs/protocol.md §18).
 */
export function Listen() {
  const [state, guardian] = useGuardian();
  const { t } = useTranslation();
  const isGuardian = state.role === 'guardian';
  const shown = state.messages.filter((m) => isGuardian || guardian.names.isToy(m.from)).reverse();
  const mine = (from: string) => from === state.deviceId || state.accountDevices.includes(from);
  const unheard = shown.filter((m) => !m.heard && !mine(m.from)).length;
  const child = state.children[0]?.name ?? t('common.yourChild');
  const { slots, kept } = state.favourites;
  const keptOn = (toyId: string) => kept.filter((f) => f.toyId === toyId).length;
  const full = state.toys.length > 0 && state.toys.every((toy) => keptOn(toy.toyId) >= slots);
  return (
    <Page
      title={t('listen.title')}
      intro={
        shown.length > 0
          ? unheard > 0
            ? isGuardian
              ? t('listen.newAll', { count: unheard })
              : t('listen.newFrom', { count: unheard, child })
            : t('listen.allHeard')
          : undefined
      }
    >
      <NotInRosterNotice />
      <div role="status" aria-live="polite" className="sr-only">
        {unheard > 0 ? t('listen.newCount', { count: unheard }) : ''}
      </div>
      {isGuardian && state.toys.length > 0 ? (
        <ul className="favourite-counts" aria-label={t('listen.keptCounts')}>
          {state.toys.map((toy) => (
            <li key={toy.toyId} data-toy-id={toy.toyId} data-kept={keptOn(toy.toyId)}>
              {t('listen.keptOn', { kept: keptOn(toy.toyId), slots, toy: toy.name ?? t('listen.theToy') })}
            </li>
          ))}
        </ul>
      ) : null}
      {shown.length === 0 ? (
        <EmptyState icon="listen" title={t('listen.nothingYet', { child })}>
          <p>{t('listen.nothingHint', { child })}</p>
        </EmptyState>
      ) : (
        <ol className="timeline" aria-label={isGuardian ? t('listen.timelineAll') : t('listen.timeline')}>
          {shown.map((m) => {
            const isKept = kept.some((f) => f.messageId === m.messageId);
            return (
              <VoiceBubble
                key={m.messageId}
                message={m}
                sender={guardian.names.senderLabel(m)}
                mine={mine(m.from)}
                receipt={state.receipts[m.messageId]}
                onPlayed={() => void guardian.messages.markHeard(m.messageId)}
                onDelete={
                  guardian.messages.canDelete(m)
                    ? () => guardian.messages.deleteMessage(m.messageId)
                    : undefined
                }
                favourite={
                  isGuardian && !guardian.names.isToy(m.from)
                    ? {
                        kept: isKept,
                        full,
                        onToggle: () => guardian.favourites.keepOnToy(m.messageId, !isKept),
                      }
                    : undefined
                }
              />
            );
          })}
        </ol>
      )}
    </Page>
  );
}
