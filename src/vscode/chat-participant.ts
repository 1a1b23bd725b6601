// The @radarm chat participant in VS Code's chat view: `/ask`, `/analyze <question>` (agent_single) and
// `/expert <question>` (agent_multi) run the same agent services as the sidebar, on the data file that
// is open or referenced (#file) and the workspace's database connections (as the panel has them), with the
// model the user picked in the chat view (request.model).
//
// Optional by construction: without the chat API (or without Copilot) registration is skipped and
// nothing else changes. The pure parts (modes, files, history, rendering) are in chat-response.ts.
import * as vscode from 'vscode';
import type { AgentContext, Mode } from '../agent/types';
import { createSession, type Session } from '../engine/session';
import type { ProviderChoice } from '../engine/preflight';
import type { DatabaseSource, PythonKernel } from '../kernel/types';
import type { LlmClient } from '../llm/types';
import { vscodeLmProvider } from '../llm/vscode-lm-providers';
import type { ErrorCode, RadarmEvent } from '../protocol/events';
import type { Locale } from '../protocol/vocabulary';
import {
  DATA_FILE_GLOB,
  PARTICIPANT_ID,
  chooseDataFiles,
  historyFromChat,
  isDataFile,
  modeForCommand,
  renderEvents,
  type ChatHistoryItem,
  type TurnMetadata,
} from './chat-response';
import { vscodePreflightTexts } from './host-texts';
import { createHostVscodeLmClient, listVscodeLmModels, uiLocale } from './lm-provider';
import { sessionLogger } from './log';

/** The settings a chat request uses, read afresh for every request. */
export type ParticipantSettings = Partial<
  Pick<AgentContext, 'maxRounds' | 'stallTimeoutMs' | 'timeoutMs' | 'execTimeoutMs' | 'stream' | 'confirmRun'>
> & {
  /** The mode of a request without a slash command. Default agent_single. */
  defaultMode?: Mode;
};

export interface ChatParticipantDeps {
  /**
   * Creates the participant's Python kernel (once, on first need; kept for later requests and disposed
   * with the extension): the same workspace kernel as the panel's. Absent: code may not run here.
   */
  createKernel?: () => PythonKernel;
  settings?: () => ParticipantSettings;
  /**
   * The database connections a request uses, with their passwords (see participant-databases.ts: URL from
   * workspace state, password from SecretStorage). Absent: none.
   */
  databases?: () => Promise<DatabaseSource[]>;
  /** The client and provider of a request's model; default: VS Code's language-model API for that model. */
  modelClient?: (model: vscode.LanguageModelChat, locale: Locale) => { llm: LlmClient; provider: ProviderChoice };
}


const TEXTS = {
  en: {
    usage:
      'Ask about a data file (CSV, Excel, Parquet, JSON, SQLite) or a database added with **Radarm: Add Database**. Open the file in the editor or attach it with `#file`, then:\n\n' +
      '- `@radarm /ask <question>`: an answer from the model, no code run\n' +
      '- `@radarm /analyze <question>`: writes pandas code, runs it, explains the result (single agent)\n' +
      '- `@radarm /expert <question>`: planner, executor and verifier work it out together\n',
    noData:
      'No data file found for this question. Open a CSV, Excel, Parquet or JSON file in the editor, or attach one with `#file`, for example `@radarm /analyze #file:sales.csv which region sells most?` For a database, run **Radarm: Add Database** first.',
    noModel:
      'No language model is available in the chat view. Install and sign in to GitHub Copilot (or another extension that provides models), or use the Radarm sidebar with an API key.',
    followAnalyze: 'Analyze it with code',
    followExpert: 'Double-check with the expert team',
  },
  'zh-cn': {
    usage:
      '对数据文件（CSV、Excel、Parquet、JSON、SQLite）或用 **Radarm: Add Database** 添加的数据库提问。先在编辑器中打开文件，或用 `#file` 附加，然后：\n\n' +
      '- `@radarm /ask <问题>`：由模型直接回答，不运行代码\n' +
      '- `@radarm /analyze <问题>`：编写并运行 pandas 代码，再解释结果（单智能体）\n' +
      '- `@radarm /expert <问题>`：架构师、执行者和审核员协作完成\n',
    noData:
      '没有找到要分析的数据文件。请在编辑器中打开 CSV、Excel、Parquet 或 JSON 文件，或用 `#file` 附加，例如 `@radarm /analyze #file:sales.csv 哪个地区销量最高？` 如需分析数据库，请先运行 **Radarm: Add Database**。',
    noModel: '聊天视图中没有可用的语言模型。请安装并登录 GitHub Copilot（或其他提供模型的扩展），或在 Radarm 侧边栏中配置 API Key 使用。',
    followAnalyze: '用代码分析',
    followExpert: '请专家团队复核',
  },
} as const;

/** The metadata a response carries: its turn (for history) and what follow-ups need. */
/** The metadata a response carries: its history entry (absent when cancelled), what follow-ups need, and the error's code. */
export type ResultMetadata = Partial<TurnMetadata> & { mode: Mode; hasData: boolean; errorCode?: ErrorCode };

/**
 * Registers @radarm. Returns undefined (and changes nothing) when this VS Code has no chat API.
 * Never throws: activation must not fail because of an optional feature.
 */
export function registerChatParticipant(
  context: vscode.ExtensionContext,
  deps: ChatParticipantDeps,
): vscode.ChatParticipant | undefined {
  if (typeof vscode.chat?.createChatParticipant !== 'function') return undefined;
  try {
    const handler = createChatRequestHandler(deps, { storageUri: context.globalStorageUri });
    const participant = vscode.chat.createChatParticipant(PARTICIPANT_ID, handler.handle);
    participant.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'radarm.svg');
    participant.followupProvider = { provideFollowups: followups };
    context.subscriptions.push(participant, { dispose: () => void handler.dispose() });
    return participant;
  } catch (err) {
    console.warn(`[radarm] the @radarm chat participant could not be registered: ${String(err)}`);
    return undefined;
  }
}

export interface ChatRequestHandler {
  handle: vscode.ChatRequestHandler;
  /** The engine session behind the participant (tests, diagnostics). */
  engine: Session;
  /** Ends the participant's kernel. */
  dispose(): Promise<void>;
}

/** The request handler, separate from registration so that tests can call it with their own streams. */
export function createChatRequestHandler(
  deps: ChatParticipantDeps,
  opts: { storageUri?: vscode.Uri } = {},
): ChatRequestHandler {
  // One engine session for the participant: VS Code keeps each chat's history (it comes with every
  // request), the session keeps the kernel, so variables and loaded frames survive between requests.
  const session = createSession({
    llm: NO_DEFAULT_LLM,
    createKernel: deps.createKernel,
    texts: vscodePreflightTexts(),
    log: sessionLogger('[@radarm]'),
    keepTurns: 1000,
  });

  const saveImage = opts.storageUri
    ? async (dataUri: string) => {
        const m = /^data:image\/(png|jpeg|svg\+xml);base64,(.*)$/s.exec(dataUri);
        if (!m) return undefined;
        const dir = vscode.Uri.joinPath(opts.storageUri!, 'charts');
        await vscode.workspace.fs.createDirectory(dir);
        const file = vscode.Uri.joinPath(dir, `chart-${Date.now()}.${m[1] === 'svg+xml' ? 'svg' : m[1]}`);
        await vscode.workspace.fs.writeFile(file, Buffer.from(m[2], 'base64'));
        return file.toString();
      }
    : undefined;

  const handle: vscode.ChatRequestHandler = async (request, chatContext, stream, token) => {
    const locale: Locale = uiLocale();
    const t = TEXTS[locale];
    const settings = deps.settings?.() ?? {};
    const mode = modeForCommand(request.command, settings.defaultMode ?? 'agent_single');
    const question = request.prompt.trim();
    if (!question) {
      stream.markdown(t.usage);
      return {};
    }

    const dataFiles = await findDataFiles(request, token);
    const databases = (await deps.databases?.()) ?? [];
    if (mode !== 'ask' && !dataFiles.length && !databases.length) {
      stream.markdown(t.noData);
      return {};
    }
    for (const f of dataFiles) stream.reference(vscode.Uri.file(f));

    // The chat view's pick; older hosts without request.model get the first available model.
    const model = request.model ?? (await listVscodeLmModels())[0];
    if (!model) return { errorDetails: { message: t.noModel } };
    const { llm, provider } = deps.modelClient?.(model, locale) ?? {
      llm: createHostVscodeLmClient({ model, locale }),
      provider: vscodeLmProvider(model),
    };

    const history = historyFromChat(chatContext.history as unknown as ChatHistoryItem[]);
    session.setHistory(history);
    Object.assign(session.options, {
      maxRounds: settings.maxRounds,
      stallTimeoutMs: settings.stallTimeoutMs,
      timeoutMs: settings.timeoutMs,
      execTimeoutMs: settings.execTimeoutMs,
      stream: settings.stream,
      confirmRun: settings.confirmRun,
      locale,
    });

    const ac = new AbortController();
    const onCancel = token.onCancellationRequested(() => ac.abort());
    if (token.isCancellationRequested) ac.abort();
    try {
      const events = session.send(
        {
          question,
          mode,
          llm,
          provider,
          trusted: vscode.workspace.isTrusted,
          dataFiles: dataFiles.map((f) => ({ name: vscode.workspace.asRelativePath(f), path: f })),
          databases: { chosen: databases.map((d) => d.name), sources: databases },
        },
        ac.signal,
      );
      let errorCode: ErrorCode | undefined;
      const result = await renderEvents(
        tap(events, (ev) => ev.type === 'error' && (errorCode = ev.code ?? 'internal')),
        stream,
        { locale, saveImage },
      );
      // The history entry the engine recorded for this request (none when it was cancelled).
      const entry = session.history.length > history.length ? session.history[session.history.length - 1] : undefined;
      const metadata: ResultMetadata = {
        mode,
        hasData: dataFiles.length > 0 || databases.length > 0,
        ...(entry ? { radarm: { ...entry, code: entry.code ?? null, output: entry.output ?? null } } : {}),
        ...(errorCode ? { errorCode } : {}),
      };
      // A stopped request is shown as stopped by VS Code itself; no error box on top.
      if (result.error && !token.isCancellationRequested) return { errorDetails: { message: result.error }, metadata };
      return { metadata };
    } finally {
      onCancel.dispose();
    }
  };

  return {
    handle,
    engine: session,
    dispose: () => session.dispose(),
  };
}

/** Passes a stream through, showing each event to `see` first. */
async function* tap(events: AsyncIterable<RadarmEvent>, see: (ev: RadarmEvent) => unknown): AsyncGenerator<RadarmEvent> {
  for await (const ev of events) {
    see(ev);
    yield ev;
  }
}

/** Every request names its own model client; this one is never called. */
const NO_DEFAULT_LLM: LlmClient = {
  streamChat: () => {
    throw new Error('the @radarm participant passes a model client with each request');
  },
  chat: () => Promise.reject(new Error('the @radarm participant passes a model client with each request')),
};

function followups(result: vscode.ChatResult): vscode.ChatFollowup[] {
  const meta = result.metadata as Partial<ResultMetadata> | undefined;
  if (!meta?.radarm || result.errorDetails) return [];
  const t = TEXTS[uiLocale()];
  const prompt = meta.radarm.question;
  if (meta.mode === 'ask' && meta.hasData) return [{ prompt, command: 'analyze', label: t.followAnalyze }];
  if (meta.mode === 'agent_single') return [{ prompt, command: 'expert', label: t.followExpert }];
  return [];
}

/** A local file path from a #file reference value (Uri or Location); other kinds are not data files. */
function referencePath(value: unknown): string | undefined {
  const uri = value instanceof vscode.Uri ? value : value instanceof vscode.Location ? value.uri : undefined;
  return uri?.scheme === 'file' ? uri.fsPath : undefined;
}

/** The active tab's file: text editors, and custom editors (an .xlsx or .parquet opened by a viewer). */
function activeFilePath(): string | undefined {
  const input = vscode.window.tabGroups?.activeTabGroup?.activeTab?.input;
  const uri =
    input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom
      ? input.uri
      : vscode.window.activeTextEditor?.document.uri;
  return uri?.scheme === 'file' ? uri.fsPath : undefined;
}

async function findDataFiles(request: vscode.ChatRequest, token: vscode.CancellationToken): Promise<string[]> {
  const referenced = request.references.map((r) => referencePath(r.value)).filter((p): p is string => !!p);
  // An attached folder (#folder, or a folder dropped into the chat) is one dataset of its part files.
  const folders = await foldersWithData(referenced.filter((p) => !isDataFile(p)), token);
  if (folders.length) return [...new Set(referenced.filter(isDataFile)), ...folders];
  const visible = vscode.window.visibleTextEditors
    .map((e) => e.document.uri)
    .filter((u) => u.scheme === 'file')
    .map((u) => u.fsPath);
  const chosen = chooseDataFiles({ referenced, active: activeFilePath(), visible });
  if (chosen.length) return chosen;
  // Nothing open or attached: a workspace with exactly one data file needs no further hint.
  const found = await vscode.workspace.findFiles(DATA_FILE_GLOB, '**/node_modules/**', 2, token);
  return chooseDataFiles({ referenced: [], workspace: found.filter((u) => u.scheme === 'file').map((u) => u.fsPath) });
}

/** The paths that are folders holding data files (at any depth: the kernel reads a folder's parts recursively). */
async function foldersWithData(paths: readonly string[], token: vscode.CancellationToken): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    const uri = vscode.Uri.file(p);
    const isFolder = await vscode.workspace.fs.stat(uri).then((s) => (s.type & vscode.FileType.Directory) !== 0, () => false);
    if (isFolder && (await vscode.workspace.findFiles(new vscode.RelativePattern(uri, DATA_FILE_GLOB), '**/node_modules/**', 1, token)).length)
      out.push(p);
  }
  return out;
}
