// Recorded-style event streams and artifacts for the panel tests: what agent_multi streams for a
// Chinese question (announcements, reasoning, plan, code, output, verdict, explanation), a real
// PNG figure, and a Plotly figure as Python plotly's fig.to_json() writes it.
import { crc32, deflateSync } from 'node:zlib';
import type { RadarmEvent } from '../../src/protocol/events';
import { tokenize } from './harness';

/** A real PNG (bars on white), as the kernel sends figures: a data: URL. */
export function pngDataUrl(width = 240, height = 120): string {
  const bars = [0.9, 0.7, 0.55, 0.35];
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 3 + 1)] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const bar = Math.floor((x / width) * bars.length);
      const inBar = x % (width / bars.length) > 8 && y > height * (1 - bars[bar]);
      const o = y * (width * 3 + 1) + 1 + x * 3;
      raw[o] = inBar ? 31 : 255;
      raw[o + 1] = inBar ? 119 : 255;
      raw[o + 2] = inBar ? 180 : 255;
    }
  }
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
  return `data:image/png;base64,${png.toString('base64')}`;
}

/** A bar chart as python plotly serialises it (with its light default template, which the panel drops). */
export function plotlyJson(): string {
  return JSON.stringify({
    data: [{ type: 'bar', x: ['华东', '华北', '华南', '西南'], y: [1250.5, 980.25, 870, 430.75], name: '销售额' }],
    layout: {
      template: { layout: { plot_bgcolor: '#E5ECF6', paper_bgcolor: 'white' } },
      title: { text: '各地区销售额（万元）' },
      xaxis: { title: { text: '地区' } },
      yaxis: { title: { text: '销售额' } },
    },
  });
}

export const CODE = `import pandas as pd

df = pd.read_csv("data/sales.csv", encoding="gbk")
totals = df.groupby("地区")["销售额"].sum().sort_values(ascending=False)
print(totals)`;

export const OUTPUT = `地区
华东    1250.50
华北     980.25
华南     870.00
西南     430.75
Name: 销售额, dtype: float64`;

export const EXPLANATION = `## 结论

**华东**地区的销售额最高，为 **1250.50 万元**，约占总额的 35.8%。

- 华北：980.25 万元
- 华南：870.00 万元
- 西南：430.75 万元

| 地区 | 销售额 |
|---|---|
| 华东 | 1250.50 |
| 西南 | 430.75 |

建议重点关注西南地区的增长潜力。`;

const toEvents = (type: 'thinking' | 'content', stage: string, text: string, seed: number): RadarmEvent[] =>
  tokenize(text, seed).map((content) => ({ type, stage, content }) as RadarmEvent);

/** agent_multi for "哪个地区的销售额最高？": one failed round, a retry, then success. */
export function agentMultiEvents(opts: { withChart?: boolean; withImage?: boolean } = {}): RadarmEvent[] {
  return [
    { type: 'thinking', stage: 'system', content: '📂 正在加载 1 个数据文件...' },
    { type: 'thinking', stage: 'planner', content: '🧠 架构师正在规划...\n' },
    ...toEvents('thinking', 'planner', '用户想知道哪个地区销售额最高，需要按地区分组求和。', 2),
    ...toEvents('content', 'planner', '1. 读取 `sales.csv`（GBK 编码）\n2. 按 **地区** 分组对 **销售额** 求和\n3. 降序排列并找出最高者\n', 3),
    { type: 'thinking', stage: 'executor', content: '👨‍💻 执行者正在编写代码...' },
    ...toEvents('content', 'executor', '按计划编写代码：\n\n```python\n' + CODE + '\n```\n', 4),
    { type: 'thinking', stage: 'execution', content: '⚙️ 正在运行代码...' },
    { type: 'content', stage: 'execution', content: OUTPUT },
    { type: 'thinking', stage: 'verifier', content: '🔍 审核员正在检查结果...' },
    ...toEvents('content', 'verifier', '```json\n{"verdict": "pass", "feedback": "结果按地区汇总，正确回答了问题。"}\n```', 5),
    { type: 'thinking', stage: 'explanation', content: '📝 正在解释结果...' },
    ...toEvents('content', 'explanation', EXPLANATION, 6),
    {
      type: 'complete',
      data: {
        reply: EXPLANATION,
        generated_code: CODE,
        execution_result: OUTPUT,
        image: opts.withImage ? pngDataUrl() : null,
        plotly_json: opts.withChart ? plotlyJson() : null,
        usage: { promptTokens: 2310, completionTokens: 412, totalTokens: 2722 },
      },
    },
    { type: 'done' },
  ];
}

/** Markdown that exercises every block kind the splitter must keep whole (the streaming test). */
export const MARKDOWN_DOC = `# 销售分析 Sales analysis

这是第一段，包含 **粗体**、*斜体*、\`行内代码\` 和一个链接 https://example.com/报告 。
A second line of the same paragraph.

- 项目一
- 项目二

- 项目三（松散列表 loose list）

1. first
2. second

   continued paragraph inside item two

3. third

\`\`\`python
import pandas as pd

df = pd.read_csv("a.csv")


print(df.head())   # blank lines inside the fence
\`\`\`

| 地区 | 销售额 |
|---|---:|
| 华东 | 100 |
| 华北 | 80 |

> 引用第一行
> quote, line two

> another quote

    indented code block

    more indented code

Setext heading
==============

***

~~~
tilde fence

~~~

Final paragraph with <b>no raw html</b> and [a link](javascript:alert(1)) that must stay inert.`;
