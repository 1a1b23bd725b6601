// VS Code's http.proxy setting reaches the LLM service: requests go through a real local proxy (CONNECT
// tunnel or plain forwarding), and stop going through it when the setting is cleared.
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import * as vscode from 'vscode';
import { startFakeLlmServer, textSteps, type FakeLlmServer } from '../helpers/fake-llm-server';
import { radarm, setRadarmSetting } from './helpers';

/** A minimal HTTP proxy that records where it was asked to go. */
async function startProxy() {
  const targets: string[] = [];
  const server = http.createServer((req, res) => {
    // Plain forwarding (absolute-form request line).
    targets.push(`forward ${req.url}`);
    const url = new URL(req.url ?? '');
    const up = http.request(
      { host: url.hostname, port: url.port, path: url.pathname + url.search, method: req.method, headers: req.headers },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  server.on('connect', (req, socket, head) => {
    targets.push(`connect ${req.url}`);
    const [host, port] = (req.url ?? '').split(':');
    const up = net.connect(Number(port), host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      up.write(head);
      up.pipe(socket);
      socket.pipe(up);
    });
    up.on('error', () => socket.destroy());
    socket.on('error', () => up.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    targets,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** Resolves on the next change of http.proxy (the same event the extension reacts to). */
function proxyChanged(): Promise<void> {
  return new Promise((resolve) => {
    const sub = vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('http.proxy')) return;
      sub.dispose();
      resolve();
    });
  });
}

suite('http.proxy', () => {
  let llm: FakeLlmServer;
  let proxy: Awaited<ReturnType<typeof startProxy>>;

  suiteSetup(async () => {
    llm = await startFakeLlmServer(() => ({ steps: textSteps('通过代理的回答。', 2) }));
    proxy = await startProxy();
    await setRadarmSetting('providers', [{ id: 'viaproxy', label: 'Via proxy', kind: 'openai', baseUrl: llm.baseUrl, model: 'm' }]);
    await setRadarmSetting('defaultProvider', 'viaproxy');
    await vscode.commands.executeCommand('radarm.setApiKey', 'viaproxy', 'sk-proxy-1');
    await (await radarm()).controller.handleMessage({ type: 'setProvider', id: 'viaproxy' });
  });

  suiteTeardown(async () => {
    const http = vscode.workspace.getConfiguration('http');
    await http.update('proxy', undefined, vscode.ConfigurationTarget.Global);
    await http.update('noProxy', undefined, vscode.ConfigurationTarget.Global);
    await llm?.close();
    await proxy?.close();
  });

  test('requests go through http.proxy while it is set, and directly once it is cleared', async () => {
    const api = await radarm();
    const cfg = vscode.workspace.getConfiguration('http');
    // noProxy set explicitly so that a NO_PROXY=127.0.0.1 in the environment cannot bypass the proxy.
    await cfg.update('noProxy', ['example.invalid'], vscode.ConfigurationTarget.Global);
    // The extension's own listener (registered at activation, so called first) reconfigures the dispatcher.
    let changed = proxyChanged();
    await cfg.update('proxy', proxy.url, vscode.ConfigurationTarget.Global);
    await changed;
    const viaProxy = await api.controller.runTurn('代理测试', 'ask', []);
    const reply = viaProxy?.events.find((e) => e.type === 'complete');
    assert.ok(reply && reply.type === 'complete' && reply.data.reply === '通过代理的回答。', JSON.stringify(viaProxy?.events));
    const host = new URL(llm.origin).host;
    assert.ok(
      proxy.targets.some((t) => t.includes(host)),
      `the proxy saw: ${JSON.stringify(proxy.targets)}`,
    );

    changed = proxyChanged();
    await cfg.update('proxy', undefined, vscode.ConfigurationTarget.Global);
    await changed;
    const seen = proxy.targets.length;
    const direct = await api.controller.runTurn('直连测试', 'ask', []);
    assert.equal(direct?.events.at(-2)?.type, 'complete');
    assert.equal(proxy.targets.length, seen, 'no request through the proxy after it was cleared');
  });
});
