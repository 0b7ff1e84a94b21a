/**
 * Family page, for guardians: "Download the family's archive" (build-archive.ts), with a progress bar
 * while this browser fetches, decrypts and zips the messages.
 */
import { useId, useState } from 'react';
import { describeError } from '../../shared/errors.js';
import { useGuardian } from '../context.js';
import { buildFamilyArchive, type ArchiveProgress } from './build-archive.js';

const STAGE_TEXT: Record<ArchiveProgress['stage'], string> = {
  fetching: 'Fetching new messages…',
  adding: 'Adding messages…',
  zipping: 'Packing the archive…',
};

export function ArchiveCard() {
  const [, guardian] = useGuardian();
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
      setStatus(`Archive ready: ${String(messages)} message${messages === 1 ? '' : 's'}.`);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setProgress(null);
    }
  };

  return (
    <section className="card" aria-labelledby={ids.heading}>
      <h2 id={ids.heading}>The family’s archive</h2>
      <p>
        Download every message this browser can open, as audio files with an index (who, when, how long, whether it
        was played), and the data Burrow’s server holds about your account. The messages are decrypted here, in your
        browser: the server cannot open them, and keeps them only for the period above.
      </p>
      <button type="button" onClick={() => void download()} disabled={progress !== null}>
        Download the family’s archive
      </button>
      {progress ? (
        <div className="archive-progress">
          <label htmlFor={ids.progress}>{STAGE_TEXT[progress.stage]}</label>
          <progress id={ids.progress} max={progress.total} value={progress.done} />
        </div>
      ) : null}
      <div role="status" className="ok">
        {status}
      </div>
      <div role="alert" className="form-error">
        {error}
      </div>
    </section>
  );
}
