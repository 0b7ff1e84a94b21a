import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatTimeAgo } from '../date-time.js';

/** Re-renders every 30 s so "last seen" stays true while the page is open. */
function useMinuteClock(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/** A toy's online dot and words (never colour alone), updated live from the stream. */
export function ToyPresence({ online, lastSeenAt }: { online: boolean; lastSeenAt: number | null }) {
  const now = useMinuteClock();
  const { t } = useTranslation();
  const words = online
    ? t('presence.online')
    : lastSeenAt === null
      ? t('presence.neverConnected')
      : t('presence.lastSeen', { ago: formatTimeAgo(lastSeenAt, now) });
  return (
    <span className={`presence ${online ? 'on' : 'off'}`} data-online={online}>
      <span className="dot" aria-hidden="true" />
      {words}
    </span>
  );
}
