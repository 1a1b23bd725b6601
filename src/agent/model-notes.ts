// Lines of the execution summary that are meant for the model, not for people: the kernel tells the
// model which charts the user saw ("[1 matplotlib chart (PNG) shown to the user]"). The panel and
// exported notebooks show the chart itself, so these lines are dropped from what the user sees.
const CHART_NOTE = /^\[\d+ (?:matplotlib|Plotly) charts?(?: \(PNG\))?(?: and \d+ (?:matplotlib|Plotly) charts?(?: \(PNG\))?)? shown to the user\]$/;

/** The execution text without notes meant for the model ('' when nothing else is left). */
export function stripModelNotes(text: string): string {
  return text
    .split('\n')
    .filter((l) => !CHART_NOTE.test(l.trim()))
    .join('\n')
    .trim();
}
