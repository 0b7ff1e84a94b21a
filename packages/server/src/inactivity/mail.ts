/**
 * The warning mailed to an inactive family's guardians. It carries no link (a mail that asks you to
 * click in order to keep your data is what phishing looks like): signing in as usual is what keeps
 * the family.
 */
import type { Mail } from '../mail/index.js';

export function inactivityWarning(to: string, inactiveDays: number, deleteAfter: number): Mail {
  const date = new Date(deleteAfter).toISOString().slice(0, 10);
  return {
    to,
    subject: 'Your Burrow family will be deleted unless someone signs in',
    text:
      `Nobody in your Burrow family has signed in for ${String(inactiveDays)} days. To keep no child's voice longer than it is used, ` +
      `we delete a family that stays unused: its messages, recordings, child profiles, toys and invitations will be deleted from our servers after ${date} (UTC).\n\n` +
      'To keep the family, open Burrow and sign in as usual, any member of the family, before then. Nothing else is needed, and this mail has no link to click.\n\n' +
      'To keep the messages yourself, a guardian can download the family’s archive from the Family page first.\n',
  };
}
