// Debian's Chromium as the test and benchmark browser: where it is, and the flags that work on
// machines with no network but loopback (background networking would be refused, many times a second).
import { existsSync } from 'node:fs';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** CHROMIUM_PATH (or RADARM_CHROMIUM) when set, else the first Debian path that exists. */
export function chromiumPath() {
  const found =
    process.env.CHROMIUM_PATH ||
    process.env.RADARM_CHROMIUM ||
    ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
  if (!found) throw new Error('Chromium not found: apt-get install chromium (or set CHROMIUM_PATH)');
  return found;
}
