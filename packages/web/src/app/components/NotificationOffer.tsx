import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { notificationPermission } from '../notify.js';

/**
 * Asks for notification permission when it helps, at the person's press: once the family has a toy,
 * so answers can come. Hidden once decided either way (the browser remembers the choice).
 */
export function NotificationOffer({ childName }: { childName: string }) {
  const [permission, setPermission] = useState(notificationPermission);
  const { t } = useTranslation();
  if (permission !== 'default') return null;
  const ask = async () => setPermission(await Notification.requestPermission());
  return (
    <section className="card notification-offer" aria-labelledby="notify-title">
      <h2 id="notify-title">{t('notifications.title')}</h2>
      <p>{t('notifications.body', { child: childName })}</p>
      <button type="button" onClick={() => void ask()}>
        {t('notifications.turnOn')}
      </button>
    </section>
  );
}
