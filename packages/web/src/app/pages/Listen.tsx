import { EmptyState, Page } from '../components/Page.js';
import { VoiceBubble } from '../components/VoiceBubble.js';
import { useGuardian } from '../context.js';
import { NotInRosterNotice } from './Home.js';

/** The child's recordings, newest first; new ones arrive over the stream without a reload. */
export function Listen() {
  const [state, guardian] = useGuardian();
  const fromToys = state.messages.filter((m) => guardian.isToy(m.from)).reverse();
  const unheard = fromToys.filter((m) => !m.heard).length;
  const child = state.children[0]?.name ?? 'your child';
  return (
    <Page
      title="Listen"
      intro={
        fromToys.length > 0
          ? unheard > 0
            ? `${unheard} new message${unheard === 1 ? '' : 's'} from ${child}.`
            : 'You have heard everything.'
          : undefined
      }
    >
      <NotInRosterNotice />
      <div role="status" aria-live="polite" className="sr-only">
        {unheard > 0 ? `${unheard} new message${unheard === 1 ? '' : 's'}` : ''}
      </div>
      {fromToys.length === 0 ? (
        <EmptyState icon="listen" title={`Nothing from ${child} yet`}>
          <p>
            When {child} holds the toy’s record paw and talks, the message appears here by itself — no need to
            reload.
          </p>
        </EmptyState>
      ) : (
        <ol className="timeline" aria-label="Messages from the toy, newest first">
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
