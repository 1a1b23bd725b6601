// The one error-action table (src/protocol/error-actions.ts): the panel's buttons and the host's
// notifications both come from it, keyed by the error code.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_ACTIONS, errorActionMessage, errorActions } from '../../src/protocol/error-actions';
import { ERROR_CODES } from '../../src/protocol/events';
import { parseWebviewMessage } from '../../src/protocol/messages';

// A table missing a code is a type error (checked by `tsc -p .`, which covers the tests).
const { internal: _dropped, ...withoutInternal } = ERROR_ACTIONS;
// @ts-expect-error: every ErrorCode needs an entry
const incomplete: typeof ERROR_ACTIONS = withoutInternal;
void incomplete;

const pkg = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, unknown> } };
};
const settingKeys = Object.keys(pkg.contributes.configuration.properties);

describe('error actions: one table for the panel and the host', () => {
  it('has an entry for every error code, and an error without a code gets the actions of internal', () => {
    assert.deepEqual(Object.keys(ERROR_ACTIONS).sort(), [...ERROR_CODES].sort());
    assert.deepEqual(errorActions(undefined), errorActions('internal'));
    assert.deepEqual(errorActions(null), errorActions('internal'));
  });

  it('every action posts a message the host accepts unchanged (Retry names its turn)', () => {
    for (const code of ERROR_CODES)
      for (const action of errorActions(code)) {
        const msg = errorActionMessage(action, { turnId: 't-1', providerId: 'deepseek' });
        assert.deepEqual(parseWebviewMessage(msg), msg, `${code}: ${action.kind}`);
      }
    assert.deepEqual(errorActionMessage({ kind: 'retry' }, { turnId: 't-9' }), { type: 'retry', turnId: 't-9' });
    assert.deepEqual(errorActionMessage({ kind: 'setApiKey' }, { turnId: 't-9' }), { type: 'setApiKey' });
  });

  it('Open Settings shows a setting that exists (or all of Radarm\'s)', () => {
    for (const code of ERROR_CODES)
      for (const a of errorActions(code))
        if (a.kind === 'openSettings')
          assert.ok(a.query === 'radarm.' || settingKeys.some((k) => k === a.query || k.startsWith(`${a.query}.`)), `${code}: ${a.query}`);
  });

  it('offers the fix of each cause first: the key, the interpreter, the data files; Show Log where the cause is on this machine', () => {
    assert.deepEqual(errorActions('auth'), [{ kind: 'setApiKey' }]);
    assert.deepEqual(errorActions('no_python')[0], { kind: 'openSettings', query: 'radarm.pythonPath' });
    assert.deepEqual(errorActions('data')[0], { kind: 'pickDataFiles' });
    for (const code of ['no_python', 'sandbox', 'kernel', 'data', 'database', 'dask', 'internal'] as const)
      assert.ok(errorActions(code).some((a) => a.kind === 'showLog'), code);
    for (const code of ['auth', 'no_key', 'rate_limit', 'network', 'max_rounds'] as const)
      assert.ok(!errorActions(code).some((a) => a.kind === 'showLog'), code);
    assert.deepEqual(errorActions('untrusted'), [], 'Restricted Mode: nothing to retry or set');
  });
});
