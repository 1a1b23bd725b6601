// Conversation → one self-contained HTML file: questions, explanations as formatted markdown, output tables,
// PNG charts as data: URLs, Plotly charts drawn by plotly.js included inline, code folded in <details>.
// Nothing is loaded from the network: a Content-Security-Policy allows only data: images, inline styles and
// the two inline scripts by their SHA-256 hashes, so the file opens offline in any browser and can be mailed.
// Pure: the callers (VS Code command, CLI) read plotly.min.js and write the file.
import { createHash } from 'node:crypto';
import MarkdownIt from 'markdown-it';

type Markdown = InstanceType<typeof MarkdownIt>;
import { outputBesideTables } from './output-dedupe';
import { tableHtml } from './result-tables';
import { fill, reportLabels, type ReportLabels } from './labels';
import { dataFilesOf, type ExportTurn } from './turns';
import { REPORT_CSS } from './report-css';
import { mentionParts } from '../protocol/mentions';

export interface HtmlReportOptions {
  title?: string;
  locale?: string;
  /** plotly.min.js source; needed only when a turn has a Plotly chart (else the chart is a note). */
  plotlyJs?: string;
  /** When the report was made (default now). */
  date?: Date;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
/** JSON that is safe inside a <script> element (no `</script>`, no `<!--`). */
const scriptJson = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
const sha256 = (s: string) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;

// Markdown without raw HTML; images only from data: URLs (the CSP would block others anyway).
function createMarkdown(): Markdown {
  const md = new MarkdownIt({ html: false, linkify: true, breaks: false, typographer: false });
  md.validateLink = (url) => /^(https?:|mailto:|#|data:image\/(png|jpeg|gif|webp);)/i.test(url.trim());
  return md;
}

/** Draws every figure found in <script type="application/json" class="radarm-plotly">. */
const DRAW_PLOTLY = `(function(){var els=document.querySelectorAll('script.radarm-plotly');for(var i=0;i<els.length;i++){var el=els[i];var fig=JSON.parse(el.textContent);var div=document.getElementById(el.getAttribute('data-target'));if(window.Plotly&&div){window.Plotly.newPlot(div,fig.data||[],fig.layout||{},{responsive:true,displaylogo:false});}}})();`;

/** The question with its @column / #file mentions as chips (the exact name; the sent token as the tooltip). */
const questionHtml = (q: string) =>
  mentionParts(q)
    .map((p) => ('trigger' in p ? `<code class="mention" title="${esc(p.token)}">${esc(p.name)}</code>` : esc(p.text)))
    .join('');

function turnHtml(t: ExportTurn, n: number, md: Markdown, L: ReportLabels, withPlotly: boolean): string {
  const parts = [`<section class="turn" id="turn-${n}">`, `<h2 class="question"><span class="qn">${esc(fill(L.question, String(n)))}</span> ${questionHtml(t.question)}</h2>`];
  if (t.code) parts.push(`<details class="code"><summary>${esc(L.code)}</summary><pre><code class="language-python">${esc(t.code)}</code></pre></details>`);
  for (const table of t.tables) parts.push(tableHtml(table, L));
  if (t.output) {
    const blocks = outputBesideTables(t.output, t.tables)
      .map((b) => (b.kind === 'table' ? `<div class="table-wrap">${md.render(b.markdown)}</div>` : `<pre class="text">${esc(b.text)}</pre>`))
      .join('\n');
    parts.push(`<div class="output" aria-label="${esc(L.output)}">${blocks}</div>`);
  }
  if (t.image) parts.push(`<figure class="chart"><img src="${esc(t.image)}" alt="${esc(`${L.chart}: ${t.question}`)}"></figure>`);
  if (t.plotly) {
    if (withPlotly) {
      parts.push(`<figure class="chart plotly-chart"><div id="plotly-${n}" class="plotly-target"></div></figure>`);
      parts.push(`<script type="application/json" class="radarm-plotly" data-target="plotly-${n}">${scriptJson(t.plotly)}</script>`);
    } else parts.push(`<p class="note">${esc(L.plotlyNote)}</p>`);
  }
  if (t.reply.trim()) parts.push(`<div class="reply">${md.render(t.reply)}</div>`);
  if (t.error) parts.push(`<div class="error" role="note"><strong>${esc(L.error)}:</strong><pre>${esc(t.error)}</pre></div>`);
  parts.push('</section>');
  return parts.join('\n');
}

export function buildHtmlReport(turns: readonly ExportTurn[], opts: HtmlReportOptions = {}): string {
  const L = reportLabels(opts.locale);
  const md = createMarkdown();
  const title = opts.title?.trim() || L.title;
  const withPlotly = !!opts.plotlyJs && turns.some((t) => t.plotly);
  // Escaped before hashing: the hash must match the text the browser sees inside <script>.
  const scripts = (withPlotly ? [opts.plotlyJs!, DRAW_PLOTLY] : []).map((s) => s.replace(/<\/script/gi, '<\\/script'));
  const csp = [
    "default-src 'none'",
    'img-src data:',
    "style-src 'unsafe-inline'",
    'font-src data:',
    scripts.length ? `script-src ${scripts.map(sha256).join(' ')}` : "script-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const date = (opts.date ?? new Date()).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
  const files = dataFilesOf(turns);
  const body = turns.length ? turns.map((t, i) => turnHtml(t, i + 1, md, L, withPlotly)).join('\n') : `<p class="note">${esc(L.noTurns)}</p>`;
  return `<!DOCTYPE html>
<html lang="${/^zh/i.test(opts.locale ?? '') ? 'zh-CN' : 'en'}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="Radarm">
<title>${esc(title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<header>
<h1>${esc(title)}</h1>
<p class="meta">${esc(fill(L.exported, date))}${files.length ? ` · ${esc(L.dataFiles)}: ${files.map((f) => `<code>${esc(f)}</code>`).join(', ')}` : ''}</p>
</header>
<main>
${body}
</main>
${scripts.map((s) => `<script>${s}</script>`).join('\n')}
</body>
</html>
`;
}
