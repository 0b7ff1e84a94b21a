/**
 * Renders public/icons/icon.svg to the PNG icons the web manifest lists (192, 512 and a maskable 512
 * with a safe margin), with Debian's Chromium. Run after changing the SVG:
 *   npx tsx packages/web/scripts/make-icons.ts
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const icons = fileURLToPath(new URL('../public/icons/', import.meta.url));
const svg = readFileSync(join(icons, 'icon.svg'), 'utf8');
const profile = mkdtempSync(join(tmpdir(), 'burrow-icons-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu'],
});
try {
  const page = await context.newPage();
  for (const { name, size, pad, background } of [
    { name: 'icon-192.png', size: 192, pad: 0, background: 'transparent' },
    { name: 'icon-512.png', size: 512, pad: 0, background: 'transparent' },
    { name: 'icon-maskable-512.png', size: 512, pad: 0.12, background: '#fbf6ef' },
  ]) {
    await page.setViewportSize({ width: size, height: size });
    const inner = Math.round(size * (1 - 2 * pad));
    await page.setContent(
      `<html><body style="margin:0;background:${background};display:grid;place-items:center;width:${size}px;height:${size}px">` +
        `<div style="width:${inner}px;height:${inner}px">${svg.replace('<svg ', `<svg width="${inner}" height="${inner}" `)}</div></body></html>`,
    );
    await page.screenshot({ path: join(icons, name), omitBackground: background === 'transparent' });
    console.log(join(icons, name));
  }
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
