// What every chat-panel test file does first: open a panel page with an init state (plotly served by the
// suite's server) and start turns in it. Shared by the panel-*.test.ts files.
import type { PanelState } from '../../src/protocol/messages';
import { panelState, turnRecord, type OpenOptions, type Panel, type PanelSuite } from './harness';

export function panelOpeners(suite: PanelSuite) {
  async function panel(opts: OpenOptions = {}, state: PanelState = panelState()): Promise<Panel> {
    const p = await suite.open(opts);
    await p.host({ type: 'init', state: { ...state, plotlyUri: `${suite.server.origin}/plotly.min.js` } });
    await p.frames();
    return p;
  }

  async function startTurn(p: Panel, id: string, question: string, over = {}) {
    await p.host({ type: 'turnStart', turn: turnRecord(id, question, over) });
  }

  return { panel, startTurn };
}
