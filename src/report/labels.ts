// The words of an exported report, in the user's language (the report is read outside VS Code, so it
// carries its own strings instead of the extension's l10n bundle).
import { shapeCaption } from '../util/shape-caption';

export type ReportLocale = 'en' | 'zh-cn';

const EN = {
  title: 'Radarm report',
  exported: 'Exported by Radarm on {0}',
  dataFiles: 'Data files',
  question: 'Question {0}',
  code: 'Code',
  output: 'Output',
  chart: 'Chart',
  plotlyNote: 'Interactive Plotly chart: open the HTML report to see it.',
  error: 'This turn ended with an error',
  noTurns: 'This conversation has no turns.',
  shape: (rows: number, columns: number): string => shapeCaption(rows, columns, 'en'),
  firstRows: 'first {0} shown',
};

const ZH: typeof EN = {
  title: 'Radarm 报告',
  exported: '由 Radarm 导出于 {0}',
  dataFiles: '数据文件',
  question: '问题 {0}',
  code: '代码',
  output: '输出',
  chart: '图表',
  plotlyNote: '交互式 Plotly 图表：请打开 HTML 报告查看。',
  error: '此轮对话以错误结束',
  noTurns: '此对话没有内容。',
  shape: (rows: number, columns: number): string => shapeCaption(rows, columns, 'zh-cn'),
  firstRows: '仅显示前 {0} 行',
};

export type ReportLabels = typeof EN;

export const reportLabels = (locale?: string): ReportLabels => (/^zh/i.test(locale ?? '') ? ZH : EN);

export const fill = (s: string, ...args: string[]) => s.replace(/\{(\d+)\}/g, (_, i: string) => args[Number(i)] ?? '');
