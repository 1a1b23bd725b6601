// Text of the table view, the data preview and the composer's mentions, in English and Simplified Chinese.
import type { Locale } from '../src/protocol/messages';

const en = {
  frame: 'DataFrame',
  series: 'Series',
  showing: 'first {0} rows shown',
  showingColumns: 'first {0} columns shown',
  clipped: '{0} long cells clipped',
  sortBy: 'Sort by {0}',
  copyTsv: 'Copy as TSV (paste into a spreadsheet)',
  copyCsv: 'Copy as CSV',
  insertCode: 'Insert as code that reproduces this table',
  copied: 'Copied',
  index: 'index',
  tableLabel: 'Result table: {0}',
  mentionColumns: 'Columns',
  mentionFiles: 'Data files',
  mentionTables: 'Database tables',
  mentionColumnsTables: 'Columns and tables',
  mentionColumn: 'Column',
  mentionTable: 'Table',
  copyQuestion: 'Copy question',
  mentionHint: '↑↓ to choose, Enter or Tab to insert, Esc to close',
  noMatches: 'No matches',
};

export type TableStrings = typeof en;

const zhCn: TableStrings = {
  frame: 'DataFrame',
  series: 'Series',
  showing: '仅显示前 {0} 行',
  showingColumns: '仅显示前 {0} 列',
  clipped: '{0} 个过长单元格已截断',
  sortBy: '按 {0} 排序',
  copyTsv: '复制为 TSV（可粘贴到电子表格）',
  copyCsv: '复制为 CSV',
  insertCode: '插入可复现此表的代码',
  copied: '已复制',
  index: '索引',
  tableLabel: '结果表：{0}',
  mentionColumns: '列',
  mentionFiles: '数据文件',
  mentionTables: '数据库表',
  mentionColumnsTables: '列与表',
  mentionColumn: '列',
  mentionTable: '表',
  copyQuestion: '复制问题',
  mentionHint: '↑↓ 选择，Enter 或 Tab 插入，Esc 关闭',
  noMatches: '无匹配项',
};

export function tableStrings(locale: Locale | string): TableStrings {
  return locale === 'zh-cn' ? zhCn : en;
}
