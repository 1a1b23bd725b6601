// Text of the Preview Data tab, in English and Simplified Chinese.
const en = {
  loading: 'Reading {0}…',
  failed: 'Could not preview {0}: {1}',
  sampled: 'profile of the first {0} rows',
  took: '{0} ms',
  columns: 'Columns',
  firstRows: 'First rows',
  missing: '{0} missing ({1}%)',
  distinct: '{0} distinct',
  range: 'range',
  mean: 'mean {0}',
  topValues: 'Most frequent values',
  histogramOf: 'Histogram of {0}',
  previewFile: 'Preview Data: {0}',
  fullLoading: 'First rows shown; the full profile is loading…',
  parts: '{0} parts, {1} (first part: {2})',
};
export type PreviewStrings = typeof en;
const zhCn: PreviewStrings = {
  loading: '正在读取 {0}…',
  failed: '无法预览 {0}：{1}',
  sampled: '按前 {0} 行统计',
  took: '{0} 毫秒',
  columns: '列',
  firstRows: '前几行',
  missing: '缺失 {0}（{1}%）',
  distinct: '{0} 个不同值',
  range: '范围',
  mean: '均值 {0}',
  topValues: '最常见的值',
  histogramOf: '{0} 的直方图',
  previewFile: '预览数据：{0}',
  fullLoading: '已显示前几行；完整概况正在加载…',
  parts: '{0} 个分片，共 {1}（第一个分片：{2}）',
};
export const previewStrings = (locale: string): PreviewStrings => (locale === 'zh-cn' ? zhCn : en);
