// The user-facing texts of the VS Code language-model client, in English and Simplified Chinese.
export type { Locale } from '../protocol/vocabulary';
import type { Locale } from '../protocol/vocabulary';

export const vscodeLmTexts = {
  en: {
    cancelled: 'Cancelled.',
    timeout: (m: string, s: number) =>
      `The language model ${m} did not finish within ${s} s; the request was stopped. Try again, ask a narrower question, or raise the request timeout in the settings.`,
    stall: (m: string, s: number) =>
      `The language model ${m} sent nothing for ${s} s; the request was stopped. Try again or pick another model.`,
    noApi: 'This VS Code has no language-model API (vscode.lm). Update VS Code, or pick a provider with an API key.',
    noModels:
      'No VS Code language model is available. Install and sign in to GitHub Copilot (or another extension that provides models), or pick a provider with an API key.',
    notFound: (m: string) =>
      `The model ${m} is not available (any more). Pick another in the provider list, or check that GitHub Copilot is installed and signed in.`,
    noPermissions: (m: string) =>
      `Radarm is not allowed to use the language model ${m}. Allow Radarm to use the language model: send the request again and choose "Allow" in VS Code's dialog (Accounts menu › Manage Language Model Access changes it later).`,
    blocked: (m: string, d: string) =>
      `The request to ${m} was blocked (quota or policy)${d}. Wait a moment and try again, check your Copilot plan and your organisation's policy, or pick another model.`,
    tooLong: (m: string, n: number) =>
      `The conversation is too long for ${m} (at most ${n} input tokens). Start a new chat, ask about fewer columns, or pick a model with a larger context.`,
    failed: (m: string, d: string) => `The language model ${m} failed: ${d}. Try again or pick another model.`,
    tooLarge: (m: string, mb: number) =>
      `The answer of ${m} passed the limit of ${mb} MB and was stopped; the partial answer is kept. Ask for a shorter answer, or raise the limit (setting radarm.maxResponseMB).`,
  },
  'zh-cn': {
    cancelled: '已取消。',
    timeout: (m: string, s: number) =>
      `语言模型 ${m} 在 ${s} 秒内没有完成，请求已停止。请重试、缩小问题范围，或在设置中调大请求超时。`,
    stall: (m: string, s: number) => `语言模型 ${m} 已 ${s} 秒没有输出，请求已停止。请重试或换一个模型。`,
    noApi: '当前 VS Code 没有语言模型 API（vscode.lm）。请升级 VS Code，或选择一个配置了 API Key 的提供方。',
    noModels:
      '没有可用的 VS Code 语言模型。请安装并登录 GitHub Copilot（或其他提供模型的扩展），或选择一个配置了 API Key 的提供方。',
    notFound: (m: string) => `模型 ${m} 不可用（或已不存在）。请在提供方列表中另选一个，或确认 GitHub Copilot 已安装并登录。`,
    noPermissions: (m: string) =>
      `Radarm 没有使用语言模型 ${m} 的权限。请允许 Radarm 使用该语言模型：重新发送请求，并在 VS Code 的对话框中选择“允许”（之后可在“账户”菜单 › 管理语言模型访问中修改）。`,
    blocked: (m: string, d: string) =>
      `对 ${m} 的请求被拦截（配额或策略限制）${d}。请稍后重试，检查 Copilot 套餐和组织策略，或换一个模型。`,
    tooLong: (m: string, n: number) =>
      `对话太长，超出了 ${m} 的上限（最多 ${n} 个输入 token）。请新建对话、少问几列，或换一个上下文更大的模型。`,
    failed: (m: string, d: string) => `语言模型 ${m} 出错：${d}。请重试或换一个模型。`,
    tooLarge: (m: string, mb: number) =>
      `${m} 的回答超过了 ${mb} MB 的上限，已停止（已收到的部分会保留）。请让它回答得简短些，或调大上限（设置 radarm.maxResponseMB）。`,
  },
} satisfies Record<Locale, unknown>;
