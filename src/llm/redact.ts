// Removes an API key from any text before it leaves the service (server error echoes, URLs, messages).
// Servers sometimes echo part of the key ("Incorrect API key provided: sk-abc…xyz"), so any run of
// 6 or more characters copied from the key is masked too, not only the whole key.

const MIN_RUN = 6;
export const REDACTED = '***';

export function redactSecret(text: string, secret: string | undefined): string {
  if (!secret || !text) return text;
  const key = secret.trim();
  if (!key) return text;
  if (key.length < MIN_RUN) return text.split(key).join(REDACTED);
  // Mark every position of `text` covered by a run of >= MIN_RUN characters that also occurs in the key.
  const grams = new Set<string>();
  for (let i = 0; i + MIN_RUN <= key.length; i++) grams.add(key.slice(i, i + MIN_RUN));
  const covered = new Uint8Array(text.length);
  let any = false;
  for (let i = 0; i + MIN_RUN <= text.length; i++) {
    if (!grams.has(text.slice(i, i + MIN_RUN))) continue;
    covered.fill(1, i, i + MIN_RUN);
    any = true;
  }
  if (!any) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    if (!covered[i]) out += text[i];
    else if (i === 0 || !covered[i - 1]) out += REDACTED;
  }
  return out;
}
