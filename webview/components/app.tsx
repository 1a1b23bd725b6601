// The panel: banners, the conversation (only the latest turns rendered until asked), composer.
import { useEffect, useLayoutEffect, useReducer, useRef, useState } from 'preact/hooks';
import { format } from '../i18n';
import { dismissNotice, scrolled, setDraft, store, subscribe } from '../store';
import { post } from '../vscode-api';
import { Composer } from './composer';
import { TurnView } from './turn-view';
import { Codicon, IconButton } from './widgets';

/** Turns rendered by default in a long chat; older ones behind "Show N earlier turns". */
const RECENT_TURNS = 30;

export function App() {
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  useEffect(() => subscribe(() => rerender(0)), []);
  return (
    <div class="panel">
      <Messages />
      {!store.trusted && (
        <div class="banner warning" role="note">
          <Codicon name="shield" />
          <span class="banner-text">{store.strings.untrusted}</span>
        </div>
      )}
      {store.notice && <NoticeView />}
      <Composer />
    </div>
  );
}

function NoticeView() {
  const s = store.strings;
  const n = store.notice!;
  const actionLabel = { setApiKey: s.setApiKey, openSettings: s.openSettings, pickDataFiles: s.addDataFiles };
  return (
    <div class={`banner ${n.level}`} role={n.level === 'error' ? 'alert' : 'status'}>
      <Codicon name={n.level === 'info' ? 'info' : n.level} />
      <span class="banner-text">{n.text}</span>
      {n.action && (
        <button type="button" class="button secondary" onClick={() => post({ type: n.action! })}>
          {actionLabel[n.action]}
        </button>
      )}
      <IconButton icon="close" label={s.dismiss} onClick={dismissNotice} />
    </div>
  );
}

// Following the bottom while text streams is CSS scroll anchoring, not script: every element
// opts out of anchoring except a 1px anchor after the last turn, so while the anchor is in view
// (the user is at the bottom) the browser keeps it there as content grows above it, with no
// forced layout per frame. Script only scrolls on structural changes (a new turn) and reads the
// position, throttled, to remember it.
function Messages() {
  const ref = useRef<HTMLDivElement>(null);
  const pinned = useRef(store.scrollTop === null);
  const checkTimer = useRef<ReturnType<typeof setTimeout>>();
  const [showAll, setShowAll] = useState(false);
  const turns = store.turns;
  const hidden = showAll ? 0 : Math.max(0, turns.length - RECENT_TURNS);

  const stick = () => {
    const el = ref.current;
    if (el && pinned.current) el.scrollTop = el.scrollHeight;
  };

  // Restore the saved position once; after that, follow the bottom on structural changes.
  useLayoutEffect(() => {
    const el = ref.current!;
    if (store.scrollTop !== null) el.scrollTop = store.scrollTop;
    return () => clearTimeout(checkTimer.current);
  }, []);
  useLayoutEffect(() => {
    if (store.scrollTop === null) pinned.current = true;
    stick();
  });

  const onScroll = () => {
    if (checkTimer.current) return;
    checkTimer.current = setTimeout(() => {
      checkTimer.current = undefined;
      const el = ref.current;
      if (!el) return;
      pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 32;
      scrolled(pinned.current ? null : Math.round(el.scrollTop));
    }, 150);
  };

  return (
    <div class="messages" ref={ref} onScroll={onScroll} role="log" aria-label={store.strings.assistant}>
      {turns.length === 0 ? (
        <Welcome />
      ) : (
        <>
          {hidden > 0 && (
            <button type="button" class="link-button earlier" onClick={() => setShowAll(true)}>
              <Codicon name="history" />
              {format(store.strings.earlierTurns, hidden)}
            </button>
          )}
          {turns.slice(hidden).map((t, i, shown) => (
            <TurnView
              key={t.id}
              turn={t}
              version={t.version}
              busy={store.busyTurnId !== null}
              locale={store.locale}
              last={i === shown.length - 1}
            />
          ))}
        </>
      )}
      <div class="scroll-anchor" aria-hidden="true" />
    </div>
  );
}

function Welcome() {
  const s = store.strings;
  const examples = [s.example1, s.example2, s.example3];
  return (
    <div class="welcome">
      <div class="welcome-icon">
        <Codicon name="graph" />
      </div>
      <h2>{s.welcomeTitle}</h2>
      <p class="muted">{s.welcomeBody}</p>
      <div class="examples">
        {examples.map((q) => (
          <button
            type="button"
            class="example"
            onClick={() => setDraft(q)}
          >
            <Codicon name="sparkle" />
            {q}
          </button>
        ))}
      </div>
      {store.providers.length === 0 && store.initialized && (
        <p>
          <button type="button" class="link-button" onClick={() => post({ type: 'openSettings' })}>
            <Codicon name="gear" />
            {s.openSettings}
          </button>
        </p>
      )}
    </div>
  );
}
