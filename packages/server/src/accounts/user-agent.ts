/**
 * A person-readable name for a browser from its User-Agent ("Firefox on Android"), for the sessions
 * list and sign-in notices. Deliberately coarse: order matters (Edge and Opera say "Chrome" too).
 */
const BROWSERS: [RegExp, string][] = [
  [/Edg(e|A|iOS)?\//, 'Edge'],
  [/OPR\/|Opera/, 'Opera'],
  [/SamsungBrowser\//, 'Samsung Internet'],
  [/Firefox\/|FxiOS\//, 'Firefox'],
  [/Chrome\/|CriOS\/|Chromium\//, 'Chrome'],
  [/Version\/[\d.]+.*Safari\//, 'Safari'],
  [/^curl\//, 'curl'],
  [/^node|undici/i, 'Node.js'],
];
const SYSTEMS: [RegExp, string][] = [
  [/Android/, 'Android'],
  [/iPhone|iPad|iPod/, 'iOS'],
  [/Windows/, 'Windows'],
  [/Mac OS X|Macintosh/, 'macOS'],
  [/CrOS/, 'ChromeOS'],
  [/Linux/, 'Linux'],
];

export interface BrowserInfo {
  browser: string;
  system: string | null;
  /** "Firefox on Android", or "Unknown browser". */
  label: string;
}

export function describeUserAgent(ua: string | null): BrowserInfo {
  if (!ua) return { browser: 'Unknown browser', system: null, label: 'Unknown browser' };
  const browser = BROWSERS.find(([re]) => re.test(ua))?.[1] ?? 'Unknown browser';
  const system = SYSTEMS.find(([re]) => re.test(ua))?.[1] ?? null;
  return { browser, system, label: system ? `${browser} on ${system}` : browser };
}
