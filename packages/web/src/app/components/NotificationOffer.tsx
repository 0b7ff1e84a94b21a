import { useState } from 'react';
import { notificationPermission } from '../notify.js';

/**
 * Asks for notification permission when it helps, at the person's press: once the family has a toy,
 * so answers can come. Hidden once decided either way (the browser remembers the choice).
 */
export function NotificationOffer({ childName }: { childName: string }) {
  const [permission, setPermission] = useState(notificationPermission);
  if (permission !== 'default') return null;
  const ask = async () => setPermission(await Notification.requestPermission());
  return (
    <section className="card notification-offer" aria-labelledby="notify-title">
      <h2 id="notify-title">Notifications</h2>
      <p>
        Burrow can tell you when {childName} answers, or someone asks to join, while the app is in the background.
      </p>
      <button type="button" onClick={() => void ask()}>
        Turn on notifications
      </button>
    </section>
  );
}
