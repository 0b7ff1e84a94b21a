/** Entry of the toy simulator (/toy): boots the toy (its keys in IndexedDB), then renders it. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { t } from '../i18n/index.js';
import { describeError } from '../shared/errors.js';
import { BrowserToy } from './browser-toy.js';
import { ToySimulator } from './ToySimulator.js';
import './toy.css';

const root = createRoot(document.getElementById('root')!);

BrowserToy.open(window.location.origin).then(
  (toy) => {
    root.render(
      <StrictMode>
        <ToySimulator toy={toy} />
      </StrictMode>,
    );
  },
  (err: unknown) => {
    console.error(err);
    root.render(
      <main className="toy-page" id="main">
        <h1>{t('simulator.couldNotStart')}</h1>
        <p role="alert">{describeError(err)}</p>
      </main>,
    );
  },
);
