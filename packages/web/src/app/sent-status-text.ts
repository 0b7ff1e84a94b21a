/**
 * The sentence Talk shows after a send, from where the server says the message is on the toy
 * (`SentToyStatus`, docs/api.md "Where a sent message is") — never a promise the toy does not keep:
 * "glowing" only once the toy fetched it.
 */
import type { SentToyStatus } from '@burrow/api';

/** What the sender is told about a message sent to `toyName`; `status` undefined: not known yet. */
export function sentStatusText(status: SentToyStatus | undefined, toyName: string): string {
  switch (status?.state) {
    case undefined:
      return `Sent. Checking where your message is…`;
    case 'review':
      return `Sent, waiting for a guardian’s approval before ${toyName} can play it.`;
    case 'quiet_hours':
      return `Sent, waiting for quiet hours to end at ${status.quietUntil ?? 'the time a guardian set'}. Then ${toyName}’s heart will glow.`;
    case 'waiting':
      return `Sent, waiting for ${toyName} to come online and fetch it.`;
    case 'delivered':
      return `Delivered: ${toyName}’s heart is glowing.`;
    case 'played':
      return `Played: ${toyName} played your message.`;
    case 'declined':
      return 'A guardian declined this message; it was deleted and will not play.';
  }
}
