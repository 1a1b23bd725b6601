// Agent announcements ("🧠 Planner is planning…", "⚠️ The code failed… Retrying") arrive as one-line
// `thinking` events that begin with an emoji. The panel shows them as a status line with a codicon
// (emoji render as empty boxes on machines without an emoji font) and keeps them apart from the
// model's reasoning, which streams into the same stage right after them.

const LEADING_EMOJI = /^\s*((?:\p{Extended_Pictographic}|\p{Emoji_Presentation})(?:\uFE0F|\u200D|\p{Extended_Pictographic}|\p{Emoji_Modifier})*)\s*/u;

/** Codicon for each emoji the agents use; anything else gets `info`. */
const ICONS: Record<string, string> = {
  '🧠': 'lightbulb',
  '👨‍💻': 'code',
  '🔍': 'search',
  '⚙️': 'gear',
  '⚙': 'gear',
  '📝': 'comment',
  '📂': 'folder-opened',
  '⚠️': 'warning',
  '⚠': 'warning',
  '🔁': 'refresh',
  '📊': 'graph',
  '💭': 'comment-discussion',
};

export interface Announcement {
  icon: string;
  text: string;
}

/** The announcement in a thinking delta, or null when it is the model's own reasoning. */
export function parseAnnouncement(content: string): Announcement | null {
  const trimmed = content.trim();
  if (!trimmed || trimmed.includes('\n')) return null;
  const m = LEADING_EMOJI.exec(trimmed);
  if (!m) return null;
  return { icon: ICONS[m[1]] ?? ICONS[m[1].replace(/\uFE0F/g, '')] ?? 'info', text: trimmed.slice(m[0].length).trim() };
}

/** Removes a leading emoji (and the space after it) from a line shown to the user. */
export const stripLeadingEmoji = (s: string): string => s.replace(LEADING_EMOJI, '');
