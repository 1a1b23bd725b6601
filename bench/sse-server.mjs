// The benchmark's LLM stand-in, run as its own process so that it does not share a core with the
// client under test. It speaks OpenAI-compatible chat-completions streaming from pre-encoded bytes,
// so the server is never the bottleneck.
//
// Requests: POST /v1/chat/completions with JSON {stream, messages, ...}. The number of chunks comes from
// the `x-bench-chunks` header (default 20). The server records when it wrote the first byte of each
// body on the system-wide monotonic clock (process.hrtime.bigint(), CLOCK_MONOTONIC on Linux: the same
// clock in every process, unlike performance.timeOrigin), and when those bytes had been handed to the
// kernel, and reports both lists (ns, as strings) on GET /stats, with the count of TCP connections it
// accepted.
//
// The parent learns the port from the first line on stdout: {"port": N}.
import { createServer } from 'node:http';
import { benchDelta } from './bench-stream.mjs';

const chunkCache = new Map();
function body(n) {
  let buf = chunkCache.get(n);
  if (buf) return buf;
  const parts = [];
  for (let i = 0; i < n; i++) {
    const delta = { content: benchDelta(i) };
    parts.push(
      `data: ${JSON.stringify({ id: 'chatcmpl-b', object: 'chat.completion.chunk', created: 0, model: 'bench', choices: [{ index: 0, delta, finish_reason: null }] })}\n\n`,
    );
  }
  parts.push(
    `data: ${JSON.stringify({ id: 'chatcmpl-b', object: 'chat.completion.chunk', created: 0, model: 'bench', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage: { prompt_tokens: 5, completion_tokens: n, total_tokens: n + 5 } })}\n\ndata: [DONE]\n\n`,
  );
  buf = Buffer.from(parts.join(''), 'utf8');
  chunkCache.set(n, buf);
  return buf;
}

let connections = 0;
let firstByteTimes = [];
let flushedTimes = [];
const now = () => String(process.hrtime.bigint());

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/stats') {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ connections, firstByteTimes, flushedTimes }));
    return;
  }
  if (req.method === 'POST' && req.url === '/reset') {
    connections = 0;
    firstByteTimes = [];
    flushedTimes = [];
    res.end('{}');
    return;
  }
  const n = Number(req.headers['x-bench-chunks'] ?? 20);
  const delay = Number(req.headers['x-bench-first-byte-delay-ms'] ?? 0);
  req.resume();
  req.on('end', () => {
    const payload = body(n);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.flushHeaders();
    const send = () => {
      // The first chunk goes alone so that its write time is the time of the first content byte. Node
      // corks a response's writes until the next tick (then the first chunk would wait for the rest and
      // leave a tick after its time was taken): uncork, so it is handed to the kernel now, by itself.
      const first = payload.indexOf('\n\n') + 2;
      firstByteTimes.push(now());
      res.write(payload.subarray(0, first));
      res.socket.uncork();
      flushedTimes.push(now());
      const step = 64 * 1024;
      let off = first;
      const pump = () => {
        while (off < payload.length) {
          const ok = res.write(payload.subarray(off, Math.min(off + step, payload.length)));
          off += step;
          if (!ok) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    };
    if (delay > 0) setTimeout(send, delay);
    else send();
  });
});
server.keepAliveTimeout = 60_000;
server.on('connection', () => connections++);
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n');
});
process.on('disconnect', () => process.exit(0));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
