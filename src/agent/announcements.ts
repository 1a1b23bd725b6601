// What the agents say to the user outside the model's own words: the thinking announcements of each
// stage, retries, and errors, in English and Simplified Chinese.

export type Lang = 'en' | 'zh';

const CJK = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/;

/** The language of a text: any CJK ideograph makes it Chinese. */
export function detectLanguage(text: string): Lang {
  return CJK.test(text) ? 'zh' : 'en';
}

/** Announcements follow the UI locale when known, else the question's language. */
export function announcementLanguage(locale: string | undefined, question: string): Lang {
  if (locale) return locale.toLowerCase().startsWith('zh') ? 'zh' : 'en';
  return detectLanguage(question);
}

/** Stages in words, for messages ("failed while writing the code"), never the internal ids. */
const STAGE_WORDS: Record<Lang, Record<string, string>> = {
  en: {
    planner: 'while planning',
    executor: 'while writing the code',
    code_generation: 'while writing the code',
    verifier: 'while checking the result',
    explanation: 'while explaining the result',
    response: 'while answering',
  },
  zh: {
    planner: '规划时',
    executor: '编写代码时',
    code_generation: '编写代码时',
    verifier: '检查结果时',
    explanation: '解释结果时',
    response: '回答时',
  },
};

type Texts = { [K in keyof typeof EN]: (typeof EN)[K] };

const EN = {
  planner: '🧠 Planner is planning…',
  executor: (round: number) => (round > 1 ? `👨‍💻 Executor is revising the code (round ${round})…` : '👨‍💻 Executor is writing the code…'),
  verifier: '🔍 Verifier is checking the result…',
  codeGeneration: (round: number) => (round > 1 ? `👨‍💻 Fixing the code (round ${round})…` : '👨‍💻 Writing the code…'),
  execution: '⚙️ Running the code…',
  explanation: '📝 Explaining the result…',
  loadingData: (n: number) => `📂 Loading ${n} data file${n === 1 ? '' : 's'}…`,
  retryAfterError: (round: number, max: number, error: string) =>
    `⚠️ The code failed (${error}). Retrying, round ${round} of ${max}…`,
  retryAfterVerdict: (round: number, max: number, feedback: string) =>
    `🔁 The verifier asked for changes: ${feedback || '(no details)'} — round ${round} of ${max}…`,
  noCodeReminder: '⚠️ The answer had no Python code block; asking once more…',
  cancelled: 'Cancelled: the request was stopped and any running code was interrupted.',
  noKernel:
    'Code execution is not available here, so the agent modes cannot run code. Trust the workspace (Workspace Trust) and allow code execution, or use Ask mode for an answer without running code.',
  kernelFailed: (msg: string) => `The Python kernel could not start: ${msg}`,
  noCode: (stage: string) =>
    `The model answered twice without a Python code block (${STAGE_WORDS.en[stage] ?? stage}), so there is nothing to run. Try rephrasing the question, or a model that follows instructions better.`,
  maxRounds: (max: number, last: string) =>
    `Stopped after ${max} round${max === 1 ? '' : 's'} without a working result. Last problem: ${last}`,
  noFeedback: 'the verifier rejected the result without details',
  lastAttempt: 'Last attempt',
  lastOutput: 'Its output',
  declinedReply:
    'The code was not run because running it was declined. It is shown above; run it yourself or ask again and allow it.',
  llmFailed: (stage: string, msg: string) => `The model call failed ${STAGE_WORDS.en[stage] ?? `at stage ${stage}`}: ${msg}`,
  dataFailed: (msg: string) => `The data files could not be loaded: ${msg}`,
  fileFailed: (name: string, msg: string) => `⚠️ ${name} could not be loaded: ${msg}`,
  fileWarning: (name: string, msg: string) => `⚠️ ${name} was loaded, but: ${msg}`,
  explanationFailed: (msg: string) =>
    `The code ran (its output and any chart are shown), but the explanation could not be written: ${msg}`,
};

const ZH: Texts = {
  planner: '🧠 架构师正在规划...',
  executor: (round) => (round > 1 ? `👨‍💻 执行者正在修改代码（第 ${round} 轮）...` : '👨‍💻 执行者正在编写代码...'),
  verifier: '🔍 审核员正在检查结果...',
  codeGeneration: (round) => (round > 1 ? `👨‍💻 正在修复代码（第 ${round} 轮）...` : '👨‍💻 正在编写代码...'),
  execution: '⚙️ 正在运行代码...',
  explanation: '📝 正在解释结果...',
  loadingData: (n) => `📂 正在加载 ${n} 个数据文件...`,
  retryAfterError: (round, max, error) => `⚠️ 代码运行出错（${error}），正在重试：第 ${round}/${max} 轮...`,
  retryAfterVerdict: (round, max, feedback) => `🔁 审核未通过：${feedback || '（无说明）'}，第 ${round}/${max} 轮...`,
  noCodeReminder: '⚠️ 回答中没有 Python 代码块，正在重新请求...',
  cancelled: '已取消：请求已停止，正在运行的代码已中断。',
  noKernel:
    '当前无法执行代码，因此智能体模式不能运行。请信任此工作区（Workspace Trust）并允许执行代码，或改用问答（Ask）模式获取不运行代码的回答。',
  kernelFailed: (msg) => `Python 内核无法启动：${msg}`,
  noCode: (stage) => `模型两次回答都没有 Python 代码块（${STAGE_WORDS.zh[stage] ?? stage}），没有可运行的代码。请换个说法提问，或换一个更遵循指令的模型。`,
  maxRounds: (max, last) => `已尝试 ${max} 轮仍未得到可用结果。最后的问题：${last}`,
  noFeedback: '审核员未通过结果，但没有说明原因',
  lastAttempt: '最后一次尝试',
  lastOutput: '其输出',
  declinedReply: '代码未运行：你拒绝了运行。代码见上方，可以自行运行，或重新提问并允许运行。',
  llmFailed: (stage, msg) => `模型调用失败（${STAGE_WORDS.zh[stage] ?? `阶段 ${stage}`}）：${msg}`,
  dataFailed: (msg) => `数据文件无法加载：${msg}`,
  fileFailed: (name, msg) => `⚠️ 无法加载 ${name}：${msg}`,
  fileWarning: (name, msg) => `⚠️ ${name} 已加载，但有问题：${msg}`,
  explanationFailed: (msg) => `代码已运行（输出和图表见上方），但无法生成解释：${msg}`,
};

export function texts(lang: Lang): Texts {
  return lang === 'zh' ? ZH : EN;
}
