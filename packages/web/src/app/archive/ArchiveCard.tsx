/**
 * Family page, for guardians: "Download the family's archive" (build-archive.ts), with a progress bar
 * while this browser fetches, decrypts and zips the messages.
 */
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { describeError } from '../../shared/errors.js';
import { useGuardian } from '../context.js';
import { buildFamilyArchive, type ArchiveProgress } from './build-archive.js';
import { FormStatus } from '../components/FormStatus.js';

export function ArchiveCard() {
  const [, guardian] = useGuardian();
  const { t } = useTranslation();
  const ids = { heading: useId(), progress: useId() };
  const [progress, setProgress] = useState<ArchiveProgress | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const download = async () => {
    setError(null);
    setStatus(null);
    try {
      const { zip, messages } = await buildFamilyArchive(guardian, setProgress);
      const url = URL.createObjectURL(zip);
      const a = document.createElement('a');
      a.href = url;
      a.download = `burrow-family-archive-${new Date().toISOString().slice(0, 10)}.zip`;
      a.click();
      // The download has its own copy once it started; give the browser a moment before letting go.
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      setStatus(t('archive.ready', { count: messages }));
    } catch (err) {
      setError(describeError(err));
    } finally {
      setProgress(null);
    }
  };

  return (
    <section className="card" aria-labelledby={ids.heading}>
      <h2 id={ids.heading}>{t('archive.title')}</h2>
      <p>{t('archive.intro')}</p>
      <button type="button" onClick={() => void download()} disabled={progress !== null}>
        {t('archive.download')}
      </button>
      {progress ? (
        <div className="archive-progress">
          <label htmlFor={ids.progress}>{t(`archive.${progress.stage}`)}</label>
          <progress id={ids.progress} max={progress.total} value={progress.done} />
        </div>
      ) : null}
      <FormStatus status={status} error={error} />
    </section>
  );
}
