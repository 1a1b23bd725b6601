// The shared dispatcher: keep-alive reuse measured as the server's TCP connection count, the
// per-origin connection cap, independent clients (usePool: false) and proxies.
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import { closeLlmNetwork, configureLlmNetwork, createLlmService, type ChatRequest } from '../../src/llm';
import { startFakeLlmServer, type FakeLlmServer } from '../helpers/fake-llm-server';

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** A local HTTP proxy (CONNECT tunnels and absolute-URI forwarding) that records what went through it. */
async function startProxy() {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const target = new URL(req.url ?? '');
    const upstream = http.request(
      { host: target.hostname, port: target.port, path: target.pathname + target.search, method: req.method, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  const tunnels = new Set<net.Socket>();
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    seen.push(`CONNECT ${req.url}`);
    tunnels.add(client);
    client.on('close', () => tunnels.delete(client));
    const [host, port] = (req.url ?? '').split(':');
    const upstream = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  return {
    url,
    seen,
    close: () => {
      // Tunnelled sockets are no longer tracked by the HTTP server: end them here.
      for (const t of tunnels) t.destroy();
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

describe('LLM service: connection pool and proxies', function () {
  let server: FakeLlmServer;
  const llm = createLlmService();

  beforeEach(async () => {
    server = await startFakeLlmServer();
  });
  afterEach(async () => {
    await server.close();
    configureLlmNetwork({});
  });

  const request = (over: Partial<ChatRequest> = {}): ChatRequest => ({
    provider: { id: 'fake', kind: 'openai', baseUrl: server.baseUrl, model: 'm' },
    messages: [{ role: 'user', content: 'hi' }],
    stage: 'response',
    ...over,
  });

  it('reuses one keep-alive connection for sequential requests (streaming and not)', async () => {
    for (let i = 0; i < 5; i++) {
      const events = await collect(llm.streamChat(request()));
      assert.equal(events[events.length - 1].type, 'end');
    }
    assert.equal((await llm.chat(request())).ok, true);
    const anthropic = await collect(
      llm.streamChat(request({ provider: { id: 'c', kind: 'anthropic', baseUrl: server.origin, model: 'c' } })),
    );
    assert.equal(anthropic[anthropic.length - 1].type, 'end');
    assert.equal(server.requests.length, 7);
    assert.equal(server.connections, 1, 'all seven requests went over one TCP connection');
    assert.equal(server.closedSockets, 0);
  });

  it('caps concurrent connections per origin at the configured pool size', async () => {
    configureLlmNetwork({ connections: 3 });
    server.setHandler(() => ({ steps: [{ stall: 150 }, { text: 'ok' }] }));
    const results = await Promise.all(Array.from({ length: 8 }, () => collect(llm.streamChat(request()))));
    for (const events of results) assert.equal(events[events.length - 1].type, 'end');
    assert.equal(server.requests.length, 8);
    assert.equal(server.connections, 3);
  });

  it('uses the default cap of 20 connections per origin', async () => {
    server.setHandler(() => ({ steps: [{ stall: 200 }, { text: 'ok' }] }));
    const results = await Promise.all(Array.from({ length: 25 }, () => collect(llm.streamChat(request()))));
    for (const events of results) assert.equal(events[events.length - 1].type, 'end');
    assert.equal(server.connections, 20);
  });

  it('usePool: false gets an independent connection per request, closed when the request ends', async () => {
    for (let i = 0; i < 3; i++) {
      const events = await collect(llm.streamChat(request({ usePool: false })));
      assert.equal(events[events.length - 1].type, 'end');
    }
    assert.equal((await llm.chat(request({ usePool: false }))).ok, true);
    assert.equal(server.connections, 4);
    await server.waitForClosedSockets(4);
    // The pooled path is unaffected and still keeps its connection open: a second pooled request
    // goes over the same connection (an event to wait for, rather than a pause to see nothing close).
    await collect(llm.streamChat(request()));
    assert.equal(server.connections, 5);
    await collect(llm.streamChat(request()));
    assert.equal(server.connections, 5);
    const [a, b] = server.requests.slice(-2);
    assert.equal(a.connectionId, b.connectionId, 'the pooled connection was reused, so it stayed open');
    assert.equal(server.closedSockets, 4);
  });

  it('closeLlmNetwork closes pooled connections', async () => {
    await collect(llm.streamChat(request()));
    await closeLlmNetwork();
    await server.waitForClosedSockets(1);
  });

  it('goes through an explicitly configured proxy (VS Code http.proxy)', async () => {
    const proxy = await startProxy();
    try {
      configureLlmNetwork({ proxy: proxy.url });
      const events = await collect(llm.streamChat(request()));
      assert.equal(events[events.length - 1].type, 'end', JSON.stringify(events));
      assert.ok(proxy.seen.length >= 1, 'the proxy was used');
      assert.ok(proxy.seen.some((s) => s.includes(`127.0.0.1:${server.port}`)), proxy.seen.join('; '));
    } finally {
      await proxy.close();
    }
  });

  it('honours HTTP_PROXY and NO_PROXY from the environment', async () => {
    const proxy = await startProxy();
    const saved = { ...process.env };
    try {
      for (const k of ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY', 'no_proxy', 'NO_PROXY']) delete process.env[k];
      process.env.HTTP_PROXY = proxy.url;
      configureLlmNetwork({});
      assert.equal((await collect(llm.streamChat(request()))).at(-1)?.type, 'end');
      const viaProxy = proxy.seen.length;
      assert.ok(viaProxy >= 1, 'HTTP_PROXY was used');

      process.env.NO_PROXY = '127.0.0.1';
      configureLlmNetwork({});
      assert.equal((await collect(llm.streamChat(request()))).at(-1)?.type, 'end');
      assert.equal(proxy.seen.length, viaProxy, 'NO_PROXY bypassed the proxy');
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
      await proxy.close();
    }
  });
});
