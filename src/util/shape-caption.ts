// The "N rows × M columns" caption of a table, shared by the panel (webview) and the exported reports so both
// say "1 row × 1 column" in English (singular/plural) and "1 行 × 1 列" in Chinese (no plural forms).
// Pure and dependency-free: the webview bundle imports it too.

export interface ShapeCaptionOptions {
  /** How a count is written (thousands separators of the locale); plain digits by default. */
  num?: (n: number) => string;
  /** The row count is an estimate (a sampled big file): written with a leading "≈". */
  approxRows?: boolean;
}

const plural = (n: number, one: string, many: string) => (n === 1 ? one : many);

export function shapeCaption(rows: number, columns: number, locale: string | undefined, opts: ShapeCaptionOptions = {}): string {
  const num = opts.num ?? String;
  const r = (opts.approxRows ? '≈' : '') + num(rows);
  const c = num(columns);
  if (/^zh/i.test(locale ?? '')) return `${r} 行 × ${c} 列`;
  return `${r} ${plural(rows, 'row', 'rows')} × ${c} ${plural(columns, 'column', 'columns')}`;
}
