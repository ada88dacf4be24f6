import { useTranslation } from 'react-i18next';
import { usePageTitle } from '../../app/router.js';
import { useSession } from '../../app/session.js';
import { AuthFrame } from '../../app/Shell.js';
import { Button } from '../../ui/index.js';
import { TotpEnrol } from '../settings/TotpEnrol.js';
import { SecurityKeys } from '../settings/SecurityKeys.js';

/** A group requires 2FA and this person has none yet: nothing else is reachable until they enrol. */
export function EnrollmentPage() {
  const { t } = useTranslation();
  const { refresh, signOut } = useSession();
  const done = () => {
    window.scrollTo(0, 0);
    void refresh();
  };
  usePageTitle(t('enrol.title'));
  return (
    <AuthFrame wide>
      <div className="card auth-card auth-card-wide">
        <h1>{t('enrol.title')}</h1>
        <p className="lead">{t('enrol.intro')}</p>
        <section aria-labelledby="enrol-totp" className="section">
          <h2 id="enrol-totp">{t('totp.title')}</h2>
          <p>{t('totp.help')}</p>
          <TotpEnrol onDone={done} />
        </section>
        <section aria-labelledby="enrol-key" className="section">
          <h2 id="enrol-key">{t('keys.title')}</h2>
          <p>{t('keys.help')}</p>
          <SecurityKeys compact onChange={done} />
        </section>
        <p className="muted-actions">
          <Button variant="ghost" onClick={() => void signOut()}>
            {t('nav.signOut')}
          </Button>
        </p>
      </div>
    </AuthFrame>
  );
}
