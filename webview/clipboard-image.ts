// Copies a figure to the clipboard as a PNG, where the webview may (navigator.clipboard.write needs
// the clipboard-write permission, which some VS Code builds and browsers withhold). Returns false
// when it could not, so that the panel can say so instead of pretending.

/** The PNG bytes of a `data:image/png;base64,…` URL (no fetch: the CSP allows no connections). */
export function pngBlob(dataUrl: string): Blob | null {
  const m = /^data:image\/png;base64,([A-Za-z0-9+/=\s]+)$/.exec(dataUrl);
  if (!m) return null;
  const bin = atob(m[1].replace(/\s+/g, ''));
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Blob([bytes], { type: 'image/png' });
}

const COPY_TIMEOUT_MS = 2000;

export async function copyPng(dataUrl: string): Promise<boolean> {
  const blob = pngBlob(dataUrl);
  if (!blob || typeof ClipboardItem === 'undefined' || !navigator.clipboard?.write) return false;
  // A permission prompt that nobody can answer (headless, some webviews) leaves the promise pending:
  // give up after a while rather than showing nothing.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), COPY_TIMEOUT_MS)));
  try {
    const write = navigator.clipboard.write([new ClipboardItem({ 'image/png': blob })]).then(() => true as const);
    return await Promise.race([write, timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
