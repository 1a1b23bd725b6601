// The report's stylesheet (inline in the file): readable on screen and on paper, light or dark as the
// reader's system prefers, tables with right-aligned numbers and horizontal scroll when wide.
export const REPORT_CSS = `
:root{color-scheme:light dark;--fg:#1f2328;--muted:#59636e;--bg:#ffffff;--panel:#f6f8fa;--border:#d1d9e0;--accent:#0969da;--err:#cf222e}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9198a1;--bg:#0d1117;--panel:#151b23;--border:#3d444d;--accent:#4493f8;--err:#f85149}}
*{box-sizing:border-box}
body{margin:0 auto;max-width:980px;padding:24px 20px 64px;font:15px/1.55 system-ui,-apple-system,"Segoe UI","Noto Sans","Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;color:var(--fg);background:var(--bg)}
h1{font-size:1.7em;margin:0 0 4px}
.meta{color:var(--muted);margin:0 0 24px}
.turn{border-top:1px solid var(--border);padding:18px 0 8px}
.question{font-size:1.2em;margin:0 0 12px}
.question .mention{font:.85em ui-monospace,Menlo,Consolas,"Noto Sans Mono CJK SC",monospace;background:var(--panel);border:1px solid var(--border);border-radius:4px;padding:0 5px;white-space:pre-wrap}
.qn{display:block;font-size:.72em;font-weight:600;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
details.code{margin:8px 0;border:1px solid var(--border);border-radius:6px;background:var(--panel)}
details.code summary{cursor:pointer;padding:6px 10px;color:var(--muted);font-weight:600}
pre{margin:0;padding:10px 12px;overflow-x:auto;font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,"Noto Sans Mono CJK SC",monospace}
.output{margin:10px 0}
.output pre.text{background:var(--panel);border:1px solid var(--border);border-radius:6px;margin:8px 0}
.table-wrap{overflow-x:auto;margin:8px 0}
table{border-collapse:collapse;font-variant-numeric:tabular-nums;font-size:14px}
th,td{border:1px solid var(--border);padding:4px 10px;text-align:left;white-space:nowrap}
th{background:var(--panel)}
td.num,th.num{text-align:right}
.result-table caption{caption-side:bottom;text-align:left;color:var(--muted);font-size:12px;padding-top:4px}
.result-table tbody th{font-weight:600;background:transparent}
td[style*="right"],th[style*="right"]{text-align:right}
.chart{margin:12px 0}
.chart img{max-width:100%;height:auto;background:#fff;border-radius:4px}
.plotly-target{width:100%;min-height:420px}
.reply{margin:12px 0}
.reply code,.meta code{font-family:ui-monospace,Menlo,Consolas,monospace;background:var(--panel);padding:1px 4px;border-radius:4px}
.reply pre{background:var(--panel);border-radius:6px}
a{color:var(--accent)}
.error{color:var(--err);border-left:3px solid var(--err);padding:4px 12px;margin:10px 0}
.note{color:var(--muted);font-style:italic}
@media print{details.code{display:none}.turn{break-inside:avoid-page}}
`;
