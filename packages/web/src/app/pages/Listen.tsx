import { useTranslation } from 'react-i18next';
import { EmptyState, Page } from '../components/Page.js';
import { VoiceBubble } from '../components/VoiceBubble.js';
import { useGuardian } from '../context.js';
import { NotInRosterNotice } from './Home.js';

/** The child's recordings, newest first; new ones arrive over the stream without a reload. */
export function Listen() {
  const [state, guardian] = useGuardian();
  const { t } = useTranslation();
  const fromToys = state.messages.filter((m) => guardian.isToy(m.from)).reverse();
  const unheard = fromToys.filter((m) => !m.heard).length;
  const child = state.children[0]?.name ?? t('common.yourChild');
  return (
    <Page
      title={t('listen.title')}
      intro={
        fromToys.length > 0
          ? unheard > 0
            ? t('listen.newFrom', { count: unheard, child })
            : t('listen.allHeard')
          : undefined
      }
    >
      <NotInRosterNotice />
      <div role="status" aria-live="polite" className="sr-only">
        {unheard > 0 ? t('listen.newCount', { count: unheard }) : ''}
      </div>
      {fromToys.length === 0 ? (
        <EmptyState icon="listen" title={t('listen.nothingYet', { child })}>
          <p>{t('listen.nothingHint', { child })}</p>
        </EmptyState>
      ) : (
        <ol className="timeline" aria-label={t('listen.timeline')}>
          {fromToys.map((m) => (
            <VoiceBubble
              key={m.messageId}
              message={m}
              sender={guardian.senderLabel(m)}
              mine={false}
              onPlayed={() => void guardian.markHeard(m.messageId)}
              onDelete={guardian.canDelete(m) ? () => guardian.deleteMessage(m.messageId) : undefined}
            />
          ))}
        </ol>
      )}
    </Page>
  );
}
