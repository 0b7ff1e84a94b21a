import { useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * The app's one confirmation pattern: a button that, pressed, asks in the page (never the browser's
 * confirm dialog) with a "Yes, …" and a "Keep it" button. Focus moves to the question's answer and
 * back to the button when kept.
 */
export function ConfirmButton({
  label,
  text,
  className,
  question,
  yes,
  danger = false,
  onConfirm,
}: {
  /** The button's accessible name ("Block Grandma"); its text too unless `text` is given. */
  label: string;
  /** A shorter visible text where the row already names the thing ("Remove"). */
  text?: string;
  className?: string;
  /** What happens, as a question ("Block Grandma? They can no longer send…"). */
  question: string;
  /** The confirming button's text ("Yes, block Grandma"). */
  yes: string;
  danger?: boolean;
  onConfirm: () => Promise<void>;
}) {
  const { t } = useTranslation();
  const id = useId();
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const opener = useRef<HTMLButtonElement>(null);
  if (!asking) {
    return (
      <button
        type="button"
        ref={opener}
        className={className ?? (danger ? 'danger' : undefined)}
        aria-label={text ? label : undefined}
        onClick={() => setAsking(true)}
      >
        {text ?? label}
      </button>
    );
  }
  return (
    <div className="confirm" role="group" aria-labelledby={id}>
      <p id={id}>{question}</p>
      <div className="actions">
        <button
          type="button"
          className={danger ? 'danger' : 'primary'}
          disabled={busy}
          autoFocus
          onClick={() => {
            setBusy(true);
            void onConfirm().finally(() => {
              setBusy(false);
              setAsking(false);
            });
          }}
        >
          {yes}
        </button>
        <button
          type="button"
          className="ghost"
          onClick={() => {
            setAsking(false);
            window.setTimeout(() => opener.current?.focus(), 0);
          }}
        >
          {t('common.keepIt')}
        </button>
      </div>
    </div>
  );
}
