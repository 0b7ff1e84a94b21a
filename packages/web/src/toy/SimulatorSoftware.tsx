import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { BrowserToy } from './browser-toy.js';
import { softwareLine, type SoftwareCheck } from './software.js';

/** The simulator's version and whether it is up to date, checked each time it comes online. */
export function SimulatorSoftware({ toy, online }: { toy: BrowserToy; online: boolean }) {
  const [check, setCheck] = useState<SoftwareCheck | null>(null);
  useTranslation(); // the line is translated in software.ts: draw it again when the language changes
  useEffect(() => {
    if (!online) return;
    let live = true;
    toy.checkSoftware().then(
      (c) => live && setCheck(c),
      () => undefined, // offline or not registered yet: the plain version stays
    );
    return () => {
      live = false;
    };
  }, [toy, online]);
  return (
    <p className="hint toy-software" data-up-to-date={check ? String(check.available === null) : 'unknown'}>
      {softwareLine(check)}
    </p>
  );
}
