/**
 * Registers /sw.js in production builds so the app installs and opens offline (showing the shell;
 * messages need the network). Development builds skip it so stale caches never confuse a reload.
 */
export function registerServiceWorker(): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  window.addEventListener('load', () => {
    navigator.serviceWorker
      .register('/sw.js', { scope: '/' })
      .catch((err: unknown) => console.warn('Service worker not registered:', err));
  });
}
