/**
 * The privacy notice a guardian agrees to before a child profile exists. It says only what the code
 * does today; change PRIVACY_NOTICE_VERSION whenever the text changes.
 */
export const PRIVACY_NOTICE_VERSION = '2026-12-web-5';

export function PrivacyNotice() {
  return (
    <>
      <p>
        <strong>Who can hear a message.</strong> Every recording is sealed on the device that made it — your
        browser or the toy — so that only the devices in your family can open it. Burrow’s servers store it,
        but cannot listen to it, and neither can anyone who steals our database.
      </p>
      <p>
        <strong>What we keep.</strong> Your email address, a slow salted hash of your password (never the
        password), the public keys of your devices and toys, the encrypted recordings and when they were sent.
        Your child’s name is encrypted the same way as the recordings. Your child has no account, and we ask
        for nothing else about them.
      </p>
      <p>
        <strong>How long we keep it.</strong> Our servers keep a recording only until every device it was sent
        to has it, then 30 days (a guardian can choose 1 to 365 on the Family page); one that was never fetched
        is deleted after 30 days and its sender told. A record of who did what in your family (never what was
        said) is kept 90 days, and guardians can read it on the Activity page (and ask for a weekly summary of
        it by mail: counts only). A family in which nobody has signed in for 12 months is deleted: its
        guardians are mailed first, and it is deleted 30 days later unless someone signs in.
      </p>
      <p>
        <strong>Taking it with you.</strong> On the Family page, “Download the family’s archive” saves every
        message this browser can open — as audio files with a list of who sent each and when — and what our
        servers hold about your account. The messages are decrypted in your browser; our servers never can.
      </p>
      <p>
        <strong>Who can make the toy speak.</strong> Only the devices you add to your family. The toy itself
        checks each message’s signature against your family’s list, so nobody else — including us — can make
        it talk.
      </p>
      <p>
        <strong>Pairing.</strong> A toy joins your family only when someone holds its pairing button and types
        the code it shows into this app.
      </p>
      <p>
        <strong>Deleting.</strong> You can delete your account at any time (Security page), and a guardian can
        delete a child’s profile or the whole family (Family page). We then delete it from our servers at
        once; encrypted backups keep a copy until they age out. You can delete a message you sent, and a
        guardian any message of the family (Delete under the message): it leaves our servers at once and the
        toy drops it if it has not played it yet; family browsers that are open drop their copy too, but a
        copy already saved on a device that is offline may stay there.
      </p>
      <p>
        <strong>Your keys stay here.</strong> This browser keeps its own keys. If you clear this site’s data,
        this browser can no longer open older messages.
      </p>
    </>
  );
}
