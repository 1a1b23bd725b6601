// ↑/↓ in an empty composer walk through the earlier questions, newest first (as a shell does).

/** The distinct questions of the conversation, newest first. */
export function recallList(questions: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (let i = questions.length - 1; i >= 0; i--) {
    const q = questions[i];
    if (!seen.has(q)) {
      seen.add(q);
      out.push(q);
    }
  }
  return out;
}

/**
 * The next position after a key press: `index` is -1 when not recalling. Returns null when the
 * key is not for recall (the text was typed or edited, or there is nothing further to recall).
 */
export function recallStep(
  list: readonly string[],
  index: number,
  text: string,
  key: 'ArrowUp' | 'ArrowDown',
): { index: number; text: string } | null {
  const recalling = index >= 0 && text === list[index];
  if (!recalling && text !== '') return null;
  const from = recalling ? index : -1;
  const next = key === 'ArrowUp' ? from + 1 : from - 1;
  if (next >= list.length || next < -1 || (next === -1 && from === -1)) return null;
  return { index: next, text: next === -1 ? '' : list[next] };
}
