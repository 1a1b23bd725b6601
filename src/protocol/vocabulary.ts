// The wire vocabulary every layer speaks: the modes, the UI locales and their parsers. The protocol
// owns these names; the agent, the hosts and the webview import them from here (never the reverse).

/** How a question is answered: Ask (no code run), one agent, or planner + executor + verifier. */
export const MODES = ['ask', 'agent_single', 'agent_multi'] as const;
export type Mode = (typeof MODES)[number];
export const isMode = (v: unknown): v is Mode => typeof v === 'string' && (MODES as readonly string[]).includes(v);

/** The UI languages (VS Code's display language, the CLI's LANG), one spelling everywhere. */
export const LOCALES = ['en', 'zh-cn'] as const;
export type Locale = (typeof LOCALES)[number];
export const isLocale = (v: unknown): v is Locale => typeof v === 'string' && (LOCALES as readonly string[]).includes(v);

/** Any language tag (`zh-CN`, `zh_TW.UTF-8`, `en-US`) → a UI locale: Chinese for zh*, else English. */
export function toLocale(tag: string | undefined): Locale {
  return tag && /^zh/i.test(tag) ? 'zh-cn' : 'en';
}

/** A panel notice's levels and the buttons it may carry. */
export const NOTICE_LEVELS = ['info', 'warning', 'error'] as const;
export type NoticeLevel = (typeof NOTICE_LEVELS)[number];
export const NOTICE_ACTIONS = ['setApiKey', 'openSettings', 'pickDataFiles'] as const;
export type NoticeAction = (typeof NOTICE_ACTIONS)[number];

/** What a figure's buttons ask the host to do, and the two kinds of figure. */
export const FIGURE_ACTIONS = ['open', 'save'] as const;
export type FigureAction = (typeof FIGURE_ACTIONS)[number];
export const FIGURE_KINDS = ['image', 'chart'] as const;
export type FigureKind = (typeof FIGURE_KINDS)[number];
