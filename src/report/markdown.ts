// Conversation → one Markdown file: questions as headings, code folded in <details>, text output fenced,
// tables as markdown tables, PNG charts inline as data: URLs (self-contained; most viewers show them), Plotly
// charts as a note (they need the HTML report), explanations as written.
import { outputBesideTables } from './output-dedupe';
import { tableMarkdown } from './result-tables';
import { fill, reportLabels } from './labels';
import { dataFilesOf, type ExportTurn } from './turns';

export interface MarkdownReportOptions {
  title?: string;
  locale?: string;
  date?: Date;
}

/** A fence longer than any run of backticks in the text, so the text cannot close it. */
const fenceFor = (text: string) => '`'.repeat(Math.max(3, ...[...text.matchAll(/`+/g)].map((m) => m[0].length + 1)));

export function buildMarkdownReport(turns: readonly ExportTurn[], opts: MarkdownReportOptions = {}): string {
  const L = reportLabels(opts.locale);
  const out: string[] = [`# ${opts.title?.trim() || L.title}`, ''];
  const date = (opts.date ?? new Date()).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
  const files = dataFilesOf(turns);
  out.push(`_${fill(L.exported, date)}_` + (files.length ? ` · ${L.dataFiles}: ${files.map((f) => `\`${f}\``).join(', ')}` : ''), '');
  if (!turns.length) out.push(L.noTurns, '');
  turns.forEach((t, i) => {
    out.push(`## ${fill(L.question, String(i + 1))}: ${t.question.replace(/\s*\n\s*/g, ' ')}`, '');
    if (t.code) {
      const f = fenceFor(t.code);
      out.push(`<details><summary>${L.code}</summary>`, '', `${f}python`, t.code.replace(/\n$/, ''), f, '', '</details>', '');
    }
    for (const table of t.tables) out.push(tableMarkdown(table, L), '');
    for (const b of t.output ? outputBesideTables(t.output, t.tables) : []) {
      if (b.kind === 'table') out.push(b.markdown, '');
      else {
        const f = fenceFor(b.text);
        out.push(`${f}text`, b.text, f, '');
      }
    }
    if (t.image) out.push(`![${L.chart}](${t.image})`, '');
    if (t.plotly) out.push(`_${L.plotlyNote}_`, '');
    if (t.reply.trim()) out.push(t.reply.trim(), '');
    if (t.error) out.push(`> **${L.error}:** ${t.error.replace(/\n/g, '\n> ')}`, '');
  });
  return out.join('\n');
}
