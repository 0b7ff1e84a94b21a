import { useEffect, useState } from 'react';

/** "just now", "5 minutes ago", "yesterday" in the browser's language. */
export function timeAgo(at: number, now: number): string {
  const seconds = Math.round((at - now) / 1000);
  if (Math.abs(seconds) < 45) return 'just now';
  const format = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  const minutes = Math.round(seconds / 60);
  if (Math.abs(minutes) < 60) return format.format(minutes, 'minute');
  const hours = Math.round(minutes / 60);
  if (Math.abs(hours) < 24) return format.format(hours, 'hour');
  return format.format(Math.round(hours / 24), 'day');
}

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
  const words = online
    ? 'Online'
    : lastSeenAt === null
      ? 'Offline · not connected yet'
      : `Offline · last seen ${timeAgo(lastSeenAt, now)}`;
  return (
    <span className={`presence ${online ? 'on' : 'off'}`} data-online={online}>
      <span className="dot" aria-hidden="true" />
      {words}
    </span>
  );
}
