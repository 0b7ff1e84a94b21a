import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDuration } from '../../shared/audio.js';
import { describeError } from '../../shared/errors.js';
import { EmptyState, Page } from '../components/Page.js';
import { useGuardian } from '../context.js';
import type { WaitingReview } from '../guardian.js';
import { formatDateTime } from '../date-time.js';
import { FormError } from '../components/FormStatus.js';

/**
 * One waiting message: opened in this browser (it is sealed to the guardians), played here, then
 * approved — this device signs a review the toy checks itself — or declined, which deletes it.
 */
function ReviewItem({ item }: { item: WaitingReview }) {
  const [, guardian] = useGuardian();
  const { t } = useTranslation();
  const [opened, setOpened] = useState<{
    url: string;
    senderName: string | null;
    durationMs: number | null;
  } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<'approve' | 'decline' | null>(null);

  useEffect(() => {
    let stopped = false;
    let url: string | null = null;
    guardian.reviews
      .openReview(item.messageId)
      .then((o) => {
        if (stopped) return;
        url = URL.createObjectURL(o.audio);
        setOpened({ url, senderName: o.senderName, durationMs: o.durationMs });
      })
      .catch((err: unknown) => {
        if (!stopped) setError(t('review.openFailed', { error: describeError(err) }));
      });
    return () => {
      stopped = true;
      if (url) URL.revokeObjectURL(url);
    };
  }, [guardian, item.messageId]);

  const decide = async (what: 'approve' | 'decline') => {
    setBusy(what);
    setError(null);
    try {
      if (what === 'approve') await guardian.reviews.approveReview(item.messageId);
      else await guardian.reviews.declineReview(item.messageId);
    } catch (err) {
      setError(describeError(err));
      setBusy(null);
    }
  };

  // The name they chose ("Grandma"); the email stays as the detail that says which account it is.
  const who = opened?.senderName ?? guardian.names.personName([item.senderDeviceId], item.senderEmail);
  const account = item.senderEmail && item.senderEmail !== who ? item.senderEmail : null;
  const toys = item.toyIds.map((toyId) => guardian.names.toyName(toyId)).join(', ');
  return (
    <li className="card review-item" data-message-id={item.messageId}>
      <h2>{who}</h2>
      {account ? <p className="hint">{account}</p> : null}
      <p>
        {t('review.for', { toys })} · {formatDateTime(item.createdAt)}
        {opened ? ` · ${formatDuration(opened.durationMs)}` : ''}
      </p>
      {opened ? (
        <audio controls src={opened.url} preload="metadata" aria-label={t('review.messageFrom', { who })} />
      ) : error ? null : (
        <p className="hint" role="status">
          {t('review.opening')}
        </p>
      )}
      <FormError message={error} />
      <div className="actions">
        <button
          type="button"
          className="primary"
          disabled={busy !== null}
          onClick={() => void decide('approve')}
        >
          {busy === 'approve' ? t('review.approving') : t('review.approve')}
        </button>
        <button type="button" disabled={busy !== null} onClick={() => void decide('decline')}>
          {busy === 'decline' ? t('review.declining') : t('review.decline')}
        </button>
      </div>
    </li>
  );
}

/** Messages waiting for a guardian's review before the toy plays them; updates live over the stream. */
export function Review() {
  const [state, guardian] = useGuardian();
  const { t } = useTranslation();
  useEffect(() => {
    void guardian.reviews.refreshReviews();
  }, [guardian]);
  if (state.role !== 'guardian') {
    return (
      <Page title={t('review.title')}>
        <p className="card">{t('review.onlyGuardians')}</p>
      </Page>
    );
  }
  const n = state.reviews.length;
  return (
    <Page title={t('review.title')} intro={n > 0 ? t('review.intro', { count: n }) : undefined}>
      <div role="status" aria-live="polite" className="sr-only">
        {n > 0 ? t('review.waiting', { count: n }) : ''}
      </div>
      {n === 0 ? (
        <EmptyState icon="family" title={t('review.nothing')}>
          <p>{t('review.nothingHint')}</p>
        </EmptyState>
      ) : (
        <ul className="list" aria-label={t('review.list')}>
          {state.reviews.map((item) => (
            <ReviewItem key={item.messageId} item={item} />
          ))}
        </ul>
      )}
    </Page>
  );
}
