/**
 * System notifications while the app is in the background (a hidden tab or a minimised window): a
 * child's answer, someone asking to join, a new device waiting. Shown through the service worker
 * (public/sw.js opens the app when one is clicked); nothing is sent through a push service, so they
 * come while the browser keeps the app open. Permission is asked only when the person presses
 * "Turn on notifications" (NotificationOffer), never on load.
 */
export function notificationsSupported(): boolean {
  return typeof window !== 'undefined' && 'Notification' in window;
}

export function notificationPermission(): NotificationPermission | 'unsupported' {
  return notificationsSupported() ? Notification.permission : 'unsupported';
}

/** Shows a notification if the app is hidden and permission was given; says whether it did. */
export async function notifyInBackground(title: string, body: string, tag: string, url = '/'): Promise<boolean> {
  if (document.visibilityState !== 'hidden' || notificationPermission() !== 'granted') return false;
  const registration = 'serviceWorker' in navigator ? await navigator.serviceWorker.getRegistration() : undefined;
  const options: NotificationOptions = { body, tag, icon: '/icons/icon-192.png', data: { url } };
  if (registration) await registration.showNotification(title, options);
  else new Notification(title, options);
  return true;
}
