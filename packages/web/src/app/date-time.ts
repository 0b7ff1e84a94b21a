/**
 * The app's one date and time format: the browser's locale through Intl, medium date and short time
 * (so 12- or 24-hour follows the locale everywhere, never mixed).
 */
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function formatDateTime(at: number): string {
  return dateTime.format(new Date(at));
}
