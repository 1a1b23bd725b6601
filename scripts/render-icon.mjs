// Renders media/icon.svg to media/icon.png (256×256, transparent corners): the marketplace and Open VSX
// take PNG icons only. Run after changing the SVG: node scripts/render-icon.mjs
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium, root } from './code-server.mjs';

const svg = readFileSync(join(root, 'media', 'icon.svg'), 'utf8');
const { page, close } = await launchChromium({ viewport: { width: 256, height: 256 } });
try {
  await page.setContent(`<html><body style="margin:0;background:transparent">${svg}</body></html>`);
  await page.locator('svg').screenshot({ path: join(root, 'media', 'icon.png'), omitBackground: true });
} finally {
  await close();
}
console.log('media/icon.png written');
