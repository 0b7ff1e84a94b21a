/**
 * The privacy notice a guardian agrees to before a child profile exists. It says only what the code
 * does today; change PRIVACY_NOTICE_VERSION whenever the text changes.
 */
import { useTranslation } from 'react-i18next';

export const PRIVACY_NOTICE_VERSION = '2026-12-web-8';

/** The notice in the reader's language; the English text is the one PRIVACY_NOTICE_VERSION names. */
export function PrivacyNotice() {
  const { t } = useTranslation();
  return (
    <>
      <p>
        <strong>{t('privacy.whoTitle')}</strong> {t('privacy.who')}
      </p>
      <p>
        <strong>{t('privacy.keepTitle')}</strong> {t('privacy.keep')}
      </p>
      <p>
        <strong>{t('privacy.howLongTitle')}</strong> {t('privacy.howLong')}
      </p>
      <p>
        <strong>{t('privacy.takeAwayTitle')}</strong> {t('privacy.takeAway')}
      </p>
      <p>
        <strong>{t('privacy.speakTitle')}</strong> {t('privacy.speak')}
      </p>
      <p>
        <strong>{t('privacy.pairingTitle')}</strong> {t('privacy.pairing')}
      </p>
      <p>
        <strong>{t('privacy.deletingTitle')}</strong> {t('privacy.deleting')}
      </p>
      <p>
        <strong>{t('privacy.keysTitle')}</strong> {t('privacy.keys')}
      </p>
    </>
  );
}
