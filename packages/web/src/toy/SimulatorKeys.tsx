import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ToyKeyStatus } from '@burrow/client';
import { formatTimeAgo } from '../app/date-time.js';
import { describeError } from '../shared/errors.js';
import type { BrowserToy } from './browser-toy.js';

/**
 * The simulator's keys (docs/protocol.md §14, §17.6): how old its message key is and how many it
 * holds (the weekly rotation and the grace period show here), since when its identity key runs, and
 * a button that asks the family to renew that identity — what a real toy's schedule does.
 */
export function SimulatorKeys({ toy, keys, paired }: { toy: BrowserToy; keys: ToyKeyStatus | null; paired: boolean }) {
  const { t } = useTranslation();
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!keys) return null;
  const now = Date.now();
  const keyLine = `${
    keys.kemSince === null
      ? t('simulator.messageKey', { epoch: keys.kemEpoch })
      : t('simulator.messageKeyMade', { epoch: keys.kemEpoch, age: formatTimeAgo(keys.kemSince, now) })
  } · ${t('simulator.keysHeld', { count: keys.kemHeld })}`;
  const renew = async () => {
    setBusy(true);
    setMessage(null);
    try {
      await toy.renewIdentity();
      setMessage(t('simulator.renewalAsked'));
    } catch (err) {
      setMessage(describeError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div
      className="toy-keys"
      data-kem-epoch={keys.kemEpoch}
      data-kem-held={keys.kemHeld}
      data-kem-since={keys.kemSince ?? ''}
      data-renewal-pending={String(keys.renewalPending)}
    >
      <p className="hint">{keyLine}</p>
      <p className="hint">
        {keys.identitySince === null
          ? t('simulator.identityOriginal')
          : t('simulator.identityRenewed', { age: formatTimeAgo(keys.identitySince, now) })}
      </p>
      {keys.renewalPending ? <p className="hint">{t('simulator.renewalWaiting')}</p> : null}
      <button type="button" className="ghost" disabled={!paired || keys.renewalPending || busy} onClick={() => void renew()}>
        {t('simulator.renewIdentity')}
      </button>
      <p className="hint" role="status">
        {message}
      </p>
    </div>
  );
}
