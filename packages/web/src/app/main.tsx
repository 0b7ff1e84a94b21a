/** Entry of the guardian app: opens this browser's device, then renders. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { registerServiceWorker } from '../shared/service-worker.js';
import { App } from './App.js';
import { GuardianContext } from './context.js';
import { Guardian } from './guardian.js';
import { t } from '../i18n/index.js';
import './app.css';

const root = createRoot(document.getElementById('root')!);

Guardian.open(window.location.origin).then(
  (guardian) => {
    root.render(
      <StrictMode>
        <GuardianContext.Provider value={guardian}>
          <App />
        </GuardianContext.Provider>
      </StrictMode>,
    );
  },
  (err: unknown) => {
    // IndexedDB refused (private mode in some browsers, or storage disabled): nothing can be kept.
    console.error(err);
    root.render(
      <main className="content narrow" id="main">
        <h1>{t('app.cannotStartHere')}</h1>
        <p role="alert">{t('app.storageBlocked')}</p>
      </main>,
    );
  },
);

registerServiceWorker();
