import { lazy, Suspense, useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { LostToy } from '@burrow/api';
import { describeError } from '../../shared/errors.js';
import { ChildAvatar, ChildBirthday } from '../components/ChildProfile.js';
import { ConfirmButton } from '../components/Confirm.js';
import { Icon } from '../components/Icon.js';
import { EmptyState, Page } from '../components/Page.js';
import { ToyPresence } from '../components/ToyPresence.js';
import { ToySettings } from '../components/ToySettings.js';
import { ToySoftware } from '../components/ToySoftware.js';
import { useGuardian } from '../context.js';
import { formatDateTime } from '../date-time.js';
import type { Toy } from '../guardian.js';
import { FormError, FormStatus } from '../components/FormStatus.js';

// The camera scanner and its QR decoder load only when someone asks to scan.
const QrScanner = lazy(() => import('../components/QrScanner.js'));

const MAX_NAME = 40;

/** A code carried in the address (`/toys#pair=CODE`, what the toy's QR code opens), read once. */
function codeFromAddress(): string {
  const match = /^#pair=([0-9A-Za-z-]{18,30})$/.exec(window.location.hash);
  if (!match?.[1]) return '';
  // The secret half should not linger in the history.
  window.history.replaceState(window.history.state, '', window.location.pathname);
  return match[1];
}

function ToyCard({ toy, isGuardian, onLost }: { toy: Toy; isGuardian: boolean; onLost: () => void }) {
  const [state, guardian] = useGuardian();
  const { t } = useTranslation();
  const name = guardian.names.toyName(toy.toyId);
  const child = state.children.find((c) => c.childId === toy.childId);
  const ids = { name: useId(), title: useId(), error: useId(), confirm: useId() };
  const [renaming, setRenaming] = useState(false);
  const [draft, setDraft] = useState(toy.name ?? '');
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const unpairButton = useRef<HTMLButtonElement>(null);
  const waiting = toy.unplayed;

  const rename = async (event: FormEvent) => {
    event.preventDefault();
    const next = draft.trim();
    if (!next) return setError(t('toys.nameNeeded'));
    if (next.length > MAX_NAME) return setError(t('toys.nameTooLong', { max: MAX_NAME }));
    setBusy(true);
    setError(null);
    try {
      await guardian.toys.renameToy(toy.toyId, next);
      setRenaming(false);
      setStatus(t('toys.renamed', { name: next }));
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };

  const unpair = async () => {
    setBusy(true);
    setError(null);
    try {
      await guardian.family.unpairToy(toy.toyId);
    } catch (err) {
      setError(describeError(err));
      setBusy(false);
    }
  };

  return (
    <li className="card toy-card" aria-labelledby={ids.title} data-toy-id={toy.toyId}>
      <span className="avatar">
        <Icon name="toy" />
      </span>
      <div>
        <h2 id={ids.title}>{name}</h2>
        {child ? (
          <p className="toy-child">
            <ChildAvatar child={child} small /> {t('childProfile.toyFor', { name: child.name })}
            {child.birthday ? ' · ' : null}
            <ChildBirthday child={child} />
          </p>
        ) : null}
        <p>
          <ToyPresence online={toy.online} lastSeenAt={toy.lastSeenAt} />
        </p>
        <ToySoftware toyId={toy.toyId} />
        <p className="unplayed" data-unplayed={waiting}>
          {waiting === 0 ? t('toys.noneWaiting') : t('toys.waiting', { count: waiting })}
        </p>
        <FormStatus status={status} error={error} errorId={ids.error} />
        {isGuardian ? (
          <>
            {renaming ? (
              <form
                className="form inline"
                onSubmit={(e) => void rename(e)}
                noValidate
                aria-describedby={ids.error}
              >
                <label htmlFor={ids.name}>{t('toys.newName', { name })}</label>
                <input
                  id={ids.name}
                  value={draft}
                  maxLength={MAX_NAME}
                  autoComplete="off"
                  onChange={(e) => setDraft(e.target.value)}
                  autoFocus
                />
                <div className="actions">
                  <button type="submit" className="primary" disabled={busy}>
                    {t('toys.saveName')}
                  </button>
                  <button type="button" className="ghost" onClick={() => setRenaming(false)}>
                    {t('common.cancel')}
                  </button>
                </div>
              </form>
            ) : confirming ? (
              <div className="confirm" role="group" aria-labelledby={ids.confirm}>
                <p id={ids.confirm}>{t('toys.unpairQuestion', { name })}</p>
                <div className="actions">
                  <button type="button" className="danger" disabled={busy} onClick={() => void unpair()}>
                    {busy ? t('toys.unpairing') : t('toys.unpairYes', { name })}
                  </button>
                  <button
                    type="button"
                    className="ghost"
                    onClick={() => {
                      setConfirming(false);
                      unpairButton.current?.focus();
                    }}
                  >
                    {t('common.keepIt')}
                  </button>
                </div>
              </div>
            ) : (
              <div className="actions">
                <button
                  type="button"
                  onClick={() => {
                    setDraft(toy.name ?? '');
                    setStatus(null);
                    setRenaming(true);
                  }}
                >
                  {t('toys.rename')}
                </button>
                <button
                  type="button"
                  className="ghost"
                  ref={unpairButton}
                  onClick={() => setConfirming(true)}
                >
                  {t('toys.unpair')}
                </button>
                <ConfirmButton
                  label={t('toys.lostLabel', { name })}
                  text={t('toys.lost')}
                  className="ghost"
                  question={t('toys.lostQuestion', { name })}
                  yes={t('toys.lostYes', { name })}
                  danger
                  onConfirm={async () => {
                    setError(null);
                    try {
                      await guardian.family.markToyLost(toy.toyId);
                      onLost();
                    } catch (err) {
                      setError(describeError(err));
                    }
                  }}
                />
              </div>
            )}
            {/* Volume, quiet hours and review, signed by this guardian device (safety). */}
            <ToySettings toyId={toy.toyId} toyName={name} />
          </>
        ) : null}
      </div>
    </li>
  );
}

/** The family's toys (presence, unplayed, rename, unpair, settings), pairing by code or QR, adding a child. */
export function Toys() {
  const [state, guardian] = useGuardian();
  const { t } = useTranslation();
  const ids = {
    code: useId(),
    child: useId(),
    error: useId(),
    name: useId(),
    pairTitle: useId(),
  };
  const [code, setCode] = useState(codeFromAddress);
  const [childId, setChildId] = useState(state.children[0]?.childId ?? '');
  const [error, setError] = useState<string | null>(null);
  // A phone's own camera app opens the toy's QR code as a link here: the code is filled in.
  const [done, setDone] = useState<string | null>(() => (code ? t('toys.codeFilledIn') : null));
  const [busy, setBusy] = useState(false);
  const [scanning, setScanning] = useState(false);
  const isGuardian = state.role === 'guardian';
  // Bumped when a toy is marked lost here, so the lost list reloads.
  const [lostVersion, setLostVersion] = useState(0);

  const pairWith = useCallback(
    async (typed: string) => {
      const target = childId || state.children[0]?.childId;
      if (!typed.trim()) return setError(t('toys.codeNeeded'));
      if (!target) return setError(t('toys.childFirst'));
      setBusy(true);
      setError(null);
      setDone(null);
      try {
        const toyId = await guardian.family.pairToy(typed, target);
        setDone(t('toys.paired', { toy: guardian.names.toyName(toyId) }));
        setCode('');
      } catch (err) {
        setError(describeError(err));
      } finally {
        setBusy(false);
      }
    },
    [childId, guardian, state.children, t],
  );

  const scanned = useCallback(
    (found: string) => {
      setScanning(false);
      setCode(found);
      void pairWith(found);
    },
    [pairWith],
  );
  const stopScanning = useCallback(() => setScanning(false), []);

  return (
    <Page title={t('toys.title')}>
      {state.toys.length === 0 ? (
        <EmptyState icon="toy" title={t('toys.noneTitle')}>
          <p>{t('toys.noneHint')}</p>
        </EmptyState>
      ) : (
        <ul className="list" aria-label={t('toys.paired_list')}>
          {state.toys.map((toy) => (
            <ToyCard
              key={toy.toyId}
              toy={toy}
              isGuardian={isGuardian}
              onLost={() => setLostVersion((v) => v + 1)}
            />
          ))}
        </ul>
      )}

      {isGuardian ? (
        <form
          className="card form"
          onSubmit={(e) => {
            e.preventDefault();
            void pairWith(code);
          }}
          noValidate
          aria-labelledby={ids.pairTitle}
          aria-describedby={ids.error}
        >
          <h2 id={ids.pairTitle}>{t('toys.pairTitle')}</h2>
          <ol className="steps">
            <li>{t('toys.step1')}</li>
            <li>{t('toys.step2')}</li>
          </ol>
          <FormError id={ids.error} message={error} />
          {scanning ? (
            <Suspense fallback={<p role="status">{t('toys.openingCamera')}</p>}>
              <QrScanner onCode={scanned} onClose={stopScanning} />
            </Suspense>
          ) : (
            <button type="button" onClick={() => setScanning(true)}>
              {t('toys.scan')}
            </button>
          )}
          <label htmlFor={ids.code}>{t('toys.code')}</label>
          <input
            id={ids.code}
            className="mono code-input"
            autoComplete="off"
            autoCapitalize="characters"
            spellCheck={false}
            placeholder="ABC123-DEFG-HJKM-NPQR"
            value={code}
            onChange={(e) => setCode(e.target.value)}
          />
          {state.children.length > 1 ? (
            <>
              <label htmlFor={ids.child}>{t('toys.whose')}</label>
              <select id={ids.child} value={childId} onChange={(e) => setChildId(e.target.value)}>
                {state.children.map((c) => (
                  <option key={c.childId} value={c.childId}>
                    {c.name}
                  </option>
                ))}
              </select>
            </>
          ) : null}
          <button type="submit" className="primary" disabled={busy}>
            {busy ? t('toys.pairing') : t('toys.pair')}
          </button>
          <FormStatus status={done} />
        </form>
      ) : (
        <p className="card">{t('toys.onlyGuardians')}</p>
      )}
      <LostToys version={lostVersion} />
    </Page>
  );
}

/** Toys a guardian marked lost or stolen, with when each last checked in (GET …/lost-toys). */
function LostToys({ version }: { version: number }) {
  const [state, guardian] = useGuardian();
  const { t } = useTranslation();
  const title = useId();
  const [lost, setLost] = useState<LostToy[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!state.familyId) return;
    let stopped = false;
    guardian.toys.lostToys().then(
      (toys) => {
        if (stopped) return;
        setLost(toys);
        setError(null);
      },
      (err: unknown) => {
        if (!stopped) setError(describeError(err));
      },
    );
    return () => {
      stopped = true;
    };
  }, [guardian, version, state.familyId]);
  if (lost.length === 0 && !error) return null;
  const childName = (childId: string | null) => state.children.find((c) => c.childId === childId)?.name;
  return (
    <section className="card" aria-labelledby={title}>
      <h2 id={title}>{t('toys.lostTitle')}</h2>
      <p className="hint">{t('toys.lostHint')}</p>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      <ul aria-label={t('toys.lostTitle')} className="lost-toys">
        {lost.map((toy) => {
          const child = childName(toy.childId);
          return (
            <li key={toy.toyId} data-toy-id={toy.toyId}>
              <strong>{child ? t('names.toyOf', { child }) : t('toys.aToy')}</strong>
              {t('toys.markedLost', { when: formatDateTime(toy.lostAt) })} ·{' '}
              {toy.lastSeenAt === null
                ? t('toys.neverCheckedIn')
                : t('toys.lastCheckedIn', { when: formatDateTime(toy.lastSeenAt) })}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
