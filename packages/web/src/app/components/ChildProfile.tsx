/**
 * A child's birthday and photo where the child's name is shown (Home, a toy's card), and the form a
 * guardian uses to set or remove them. Both live only in the sealed profile (docs/protocol.md §15.1):
 * the photo is made small here (child-photo.ts) and sealed with the name to the family's people's
 * devices; the server stores ciphertext.
 */
import { useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { isBirthday, type ChildPhoto } from '@burrow/protocol';
import { describeError } from '../../shared/errors.js';
import { PhotoError, photoSource, shrinkPhoto } from '../child-photo.js';
import { useGuardian } from '../context.js';
import { displayTimeZone, formatCalendarDay } from '../date-time.js';
import type { Child } from '../guardian.js';
import { FormStatus } from './FormStatus.js';

/** Today in the family's time zone, `YYYY-MM-DD`: a birthday after it is refused. */
function today(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: displayTimeZone(), year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

/** "May 17, 2019" / "17.05.2019": the calendar day itself, never shifted by a time zone. */
export function formatBirthday(birthday: string): string {
  const [y, m, d] = birthday.split('-').map(Number);
  return formatCalendarDay(Date.UTC(y ?? 0, (m ?? 1) - 1, d ?? 1));
}

/** The child's photo, or their initial where there is none. */
export function ChildAvatar({ child, small = false }: { child: Child; small?: boolean }) {
  const { t } = useTranslation();
  const className = small ? 'avatar small' : 'avatar';
  return child.photo ? (
    <img className={`${className} child-photo`} src={photoSource(child.photo)} alt={t('childProfile.photoAlt', { name: child.name })} />
  ) : (
    <span className={className} aria-hidden="true">
      {child.name.slice(0, 1).toUpperCase()}
    </span>
  );
}

/** "Birthday: May 17, 2019", or nothing. */
export function ChildBirthday({ child }: { child: Child }) {
  const { t } = useTranslation();
  if (!child.birthday) return null;
  return <span className="child-birthday">{t('childProfile.birthdayLine', { date: formatBirthday(child.birthday) })}</span>;
}

/** A guardian sets or removes the birthday and the photo; one Save seals the whole profile again. */
export function ChildProfileEditor({ child }: { child: Child }) {
  const [, guardian] = useGuardian();
  const { t } = useTranslation();
  const ids = { title: useId(), birthday: useId(), photo: useId(), error: useId(), hint: useId() };
  const [birthday, setBirthday] = useState(child.birthday ?? '');
  const [photo, setPhoto] = useState<ChildPhoto | null>(child.photo);
  const [chosen, setChosen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  const choose = async (file: File | undefined) => {
    setStatus(null);
    setError(null);
    if (!file) return;
    setBusy(true);
    try {
      setPhoto(await shrinkPhoto(file));
      setChosen(true);
    } catch (err) {
      setError(err instanceof PhotoError ? t(`childProfile.${err.reason}`) : describeError(err));
    } finally {
      setBusy(false);
    }
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setStatus(null);
    if (birthday && !isBirthday(birthday)) return setError(t('childProfile.birthdayInvalid'));
    if (birthday && !isBirthday(birthday, today())) return setError(t('childProfile.birthdayFuture'));
    setError(null);
    setBusy(true);
    try {
      await guardian.family.saveChildProfile(child.childId, { birthday: birthday || null, photo }, today());
      setChosen(false);
      if (fileInput.current) fileInput.current.value = '';
      setStatus(t('childProfile.saved'));
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <details className="child-profile-edit">
      <summary id={ids.title}>{t('childProfile.edit', { name: child.name })}</summary>
      <form className="form" onSubmit={(e) => void save(e)} noValidate aria-labelledby={ids.title} aria-describedby={ids.error}>
        <label htmlFor={ids.birthday}>{t('childProfile.birthday')}</label>
        <div className="actions">
          <input id={ids.birthday} type="date" min="1900-01-01" max={today()} value={birthday} onChange={(e) => setBirthday(e.target.value)} />
          {birthday ? (
            <button type="button" className="ghost" onClick={() => setBirthday('')}>
              {t('childProfile.removeBirthday')}
            </button>
          ) : null}
        </div>
        <label htmlFor={ids.photo}>{t('childProfile.photo')}</label>
        <p className="hint" id={ids.hint}>
          {t('childProfile.photoHint')}
        </p>
        <div className="actions">
          {photo ? (
            <img className="avatar child-photo" src={photoSource(photo)} alt={chosen ? t('childProfile.newPhoto') : t('childProfile.photoAlt', { name: child.name })} />
          ) : null}
          <input
            id={ids.photo}
            ref={fileInput}
            type="file"
            accept="image/jpeg,image/png,image/webp"
            aria-describedby={ids.hint}
            onChange={(e) => void choose(e.target.files?.[0])}
          />
          {photo ? (
            <button
              type="button"
              className="ghost"
              onClick={() => {
                setPhoto(null);
                setChosen(false);
                if (fileInput.current) fileInput.current.value = '';
              }}
            >
              {t('childProfile.removePhoto')}
            </button>
          ) : null}
        </div>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t('childProfile.saving') : t('childProfile.save')}
        </button>
      </form>
      <FormStatus status={status} error={error} errorId={ids.error} />
    </details>
  );
}
