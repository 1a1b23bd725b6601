// Keeps an API key out of everything that leaves Radarm (messages, events, CLI output), without
// corrupting anything else. Three rules:
// - Only text is redacted, never structure: an event's string values are redacted one by one (protocol
//   fields such as `type` and `stage` are never touched), so a redacted event is still valid JSON.
// - Only what identifies the key is masked: the whole key, and pieces of it that are long and random
//   enough to identify it (servers echo "Incorrect API key provided: sk-abc12345…"). An ordinary word
//   that happens to occur in the key ("content" in "my-content-key") is not a piece of a secret.
// - Keys too short or too well known to be secret (`EMPTY`, `ollama`, `sk-no-key-required`) are not
//   masked at all: masking them would only damage the text.

export const REDACTED = '***';

/** Shorter keys are not secrets worth masking (and masking them would hit ordinary text). */
export const MIN_SECRET_LENGTH = 8;
/** The shortest piece of a key that is masked when it occurs on its own. */
const MIN_FRAGMENT = 8;
/** A piece at least this long is masked even when it looks like ordinary text. */
const LONG_FRAGMENT = 16;

// Values that local servers and docs use in place of a key (OpenAI-compatible clients insist on one).
const PLACEHOLDERS =
  /^(sk-)?(empty|none|null|nil|no-?key(-?required)?|not-?needed|not-?required|unused|dummy|fake|test(ing)?|placeholder|changeme|secret|password|key|api-?key|your-?(api-?)?key(-?here)?|anything|local|x+|\*+|ollama|lm-?studio|vllm|llama-?cpp|localai|jan|koboldcpp|text-generation-webui|bench)$/i;

/** Whether `secret` is a key that must be masked (long enough, not a well-known placeholder). */
export function isMaskableSecret(secret: string | undefined): secret is string {
  const key = secret?.trim();
  return !!key && key.length >= MIN_SECRET_LENGTH && !PLACEHOLDERS.test(key);
}

/** A piece of a key identifies it when it is long, or mixes letters with digits or cases. */
function identifying(piece: string): boolean {
  if (piece.length >= LONG_FRAGMENT) return true;
  const digit = /\d/.test(piece);
  const lower = /[a-z]/.test(piece);
  const upper = /[A-Z]/.test(piece);
  return (digit && (lower || upper)) || (lower && upper);
}

interface Matcher {
  key: string;
  /** Every identifying MIN_FRAGMENT-long piece of the key. */
  grams: Set<string>;
}

const matchers = new Map<string, Matcher>();

function matcherFor(secret: string): Matcher {
  let m = matchers.get(secret);
  if (m) return m;
  const key = secret.trim();
  const grams = new Set<string>();
  for (let i = 0; i + MIN_FRAGMENT <= key.length; i++) grams.add(key.slice(i, i + MIN_FRAGMENT));
  m = { key, grams };
  if (matchers.size > 16) matchers.clear();
  matchers.set(secret, m);
  return m;
}

/**
 * Masks the key, and every identifying piece of it, in one text. Returns the text unchanged (same
 * string) when the key is not maskable or does not occur.
 */
export function redactSecret(text: string, secret: string | undefined): string {
  if (!text || !isMaskableSecret(secret)) return text;
  const { key, grams } = matcherFor(secret);
  let out = text.includes(key) ? text.split(key).join(REDACTED) : text;
  if (out.length < MIN_FRAGMENT) return out;
  // Runs of text covered by MIN_FRAGMENT-grams of the key; a run is masked when it is identifying.
  let result = '';
  let last = 0;
  let runStart = -1;
  let runEnd = -1;
  const closeRun = () => {
    const piece = out.slice(runStart, runEnd);
    if (identifying(piece)) {
      result += out.slice(last, runStart) + REDACTED;
      last = runEnd;
    }
    runStart = runEnd = -1;
  };
  for (let i = 0; i + MIN_FRAGMENT <= out.length; i++) {
    if (!grams.has(out.slice(i, i + MIN_FRAGMENT))) continue;
    if (runStart >= 0 && i > runEnd) closeRun();
    if (runStart < 0) runStart = i;
    runEnd = i + MIN_FRAGMENT;
  }
  if (runStart >= 0) closeRun();
  if (last === 0) return out;
  out = result + out.slice(last);
  return out;
}

/** The longest end of `text` that is also a piece of `key`: it may be the start of the key arriving. */
function keyPrefixTail(text: string, key: string): number {
  for (let n = Math.min(text.length, key.length - 1); n > 0; n--) if (key.includes(text.slice(text.length - n))) return n;
  return 0;
}

// Protocol fields: names, not text. Never redacted, so the structure of an event cannot change.
const STRUCTURAL = new Set(['type', 'stage', 'kind', 'code', 'url']);

function redactValue(value: unknown, secret: string, field?: string): unknown {
  if (typeof value === 'string') {
    if (field && STRUCTURAL.has(field)) return value;
    if (field === 'image' && value.startsWith('data:')) return value.includes(secret.trim()) ? redactSecret(value, secret) : value;
    if (field === 'plotly_json') return redactJsonText(value, secret);
    return redactSecret(value, secret);
  }
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((v) => {
      const r = redactValue(v, secret);
      if (r !== v) changed = true;
      return r;
    });
    return changed ? out : value;
  }
  if (typeof value === 'object' && value !== null) {
    let out: Record<string, unknown> | undefined;
    for (const [k, v] of Object.entries(value)) {
      const r = redactValue(v, secret, k);
      if (r !== v) (out ??= { ...(value as Record<string, unknown>) })[k] = r;
    }
    return out ?? value;
  }
  return value;
}

/** A JSON document inside a string (a Plotly figure): redact its string values, keep it valid JSON. */
function redactJsonText(text: string, secret: string): string {
  if (redactSecret(text, secret) === text) return text;
  try {
    return JSON.stringify(redactValue(JSON.parse(text), secret));
  } catch {
    return redactSecret(text, secret);
  }
}

/** One event (or any plain JSON value) with the key removed from its text values only. */
export function redactEvent<T>(event: T, secret: string | undefined): T {
  if (!isMaskableSecret(secret)) return event;
  return redactValue(event, secret) as T;
}

type Streamed = { type: string; stage?: string; content?: unknown };

/** How long a held-back tail waits for the next delta before it is shown anyway. */
const HOLD_MS = 50;
const QUIET = Symbol('quiet');

/**
 * Redacts a stream of events. Streamed text (thinking/content deltas) can carry the key split across
 * events, so the end of each run that could be the start of the key is held back until the next delta
 * shows whether it is, and flushed before any other event. Without a maskable key: the same events.
 */
export async function* redactEvents<E extends { type: string }>(
  source: AsyncIterable<E>,
  secret: string | undefined,
): AsyncGenerator<E> {
  if (!isMaskableSecret(secret)) {
    yield* source;
    return;
  }
  const key = secret.trim();
  let held: (Streamed & { content: string }) | undefined;
  const release = (): E | undefined => {
    if (!held) return undefined;
    const content = redactSecret(held.content, key);
    const ev = { ...held, content } as unknown as E;
    held = undefined;
    return content === '' ? undefined : ev;
  };
  const it = source[Symbol.asyncIterator]();
  let pending = false;
  try {
    for (;;) {
      const next = it.next();
      pending = true;
      let r: IteratorResult<E> | typeof QUIET;
      if (held) {
        // A held tail is shown once the stream goes quiet (code running, a slow model): at most a piece
        // too short to identify the key can come out this way; longer ones are masked by release().
        let timer: NodeJS.Timeout | undefined;
        const quiet = new Promise<typeof QUIET>((resolve) => (timer = setTimeout(() => resolve(QUIET), HOLD_MS)));
        r = await Promise.race([next, quiet]);
        clearTimeout(timer);
        if (r === QUIET) {
          const out = release();
          if (out) yield out;
          r = await next;
        }
      } else r = await next;
      pending = false;
      if (r.done) break;
      const event = r.value;
      const ev = event as unknown as Streamed;
      if ((ev.type === 'thinking' || ev.type === 'content') && typeof ev.content === 'string') {
        let text = ev.content;
        if (held && held.type === ev.type && held.stage === ev.stage) {
          text = held.content + text;
          held = undefined;
        } else {
          const out = release();
          if (out) yield out;
        }
        if (text.includes(key)) text = text.split(key).join(REDACTED);
        const keep = keyPrefixTail(text, key);
        const now = redactSecret(text.slice(0, text.length - keep), key);
        if (keep) held = { ...ev, content: text.slice(text.length - keep) };
        if (now) yield { ...event, content: now } as E;
        continue;
      }
      const out = release();
      if (out) yield out;
      yield redactEvent(event, key);
    }
  } finally {
    // The consumer stopped early: stop the source too, as for-await would. Not awaited while the
    // source is still busy with a next() (a held tail was shown meanwhile): Stop must not wait for it.
    if (pending) void it.return?.()?.catch(() => {});
    else await it.return?.();
  }
  const out = release();
  if (out) yield out;
}
