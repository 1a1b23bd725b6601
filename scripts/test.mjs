// Runs every test phase in order, streaming their output, and closes with one summary line
// ("tests: N passed, N failed") that CI can read. Exits non-zero when any phase fails.
// usage: node scripts/test.mjs [phase ...]   (phases: unit webview vscode; default all)
import { spawn } from 'node:child_process';

// mocha runs in a direct child (no npx in between), so that a signal forwarded to it reaches the test process and
// its servers are stopped (test/helpers/run-cleanup.ts); its reporter ends with the slowest tests and hooks.
const mocha = (...args) => [process.execPath, ['node_modules/mocha/bin/mocha.js', '--reporter', './scripts/slowest-reporter.cjs', ...args]];
const phases = {
  unit: mocha('test/unit/**/*.test.ts'),
  webview: mocha('--timeout', '60000', 'test/webview/**/*.test.ts'),
  vscode: [process.execPath, ['scripts/test-vscode.mjs']],
};
// A run killed with SIGTERM or Ctrl-C passes the signal on to the running phase and starts no other.
let current;
let stopping;
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'])
  process.on(signal, () => {
    stopping = signal;
    current?.kill(signal);
    if (!current) process.exit(1);
  });
const wanted = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(phases);

function run(name, [cmd, args]) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    console.log(`\n=== ${name} tests ===`);
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    current = child;
    let out = '';
    child.stdout.on('data', (d) => {
      process.stdout.write(d);
      out += d.toString();
      if (out.length > 1e6) out = out.slice(-1e5);
    });
    child.on('close', (code) => {
      current = undefined;
      const num = (re) => [...out.matchAll(re)].reduce((s, m) => s + Number(m[1]), 0);
      resolve({
        name,
        code: code ?? 1,
        passed: num(/^\s*(\d+) passing/gm),
        failed: num(/^\s*(\d+) failing/gm),
        pending: num(/^\s*(\d+) pending/gm),
        seconds: ((Date.now() - t0) / 1000).toFixed(1),
      });
    });
  });
}

const results = [];
for (const name of wanted) {
  if (!phases[name]) {
    console.error(`unknown test phase '${name}' (known: ${Object.keys(phases).join(', ')})`);
    process.exit(2);
  }
  results.push(await run(name, phases[name]));
  if (stopping) {
    console.error(`\ntests stopped by ${stopping} during the ${name} phase`);
    process.exit(1);
  }
}
console.log('\n=== summary ===');
for (const r of results)
  console.log(`${r.name}: ${r.passed} passed, ${r.failed} failed, ${r.pending} pending, exit ${r.code}, ${r.seconds}s`);
const passed = results.reduce((s, r) => s + r.passed, 0);
const failed = results.reduce((s, r) => s + r.failed, 0) + results.filter((r) => r.code !== 0 && r.failed === 0).length;
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(results.every((r) => r.code === 0) ? 0 : 1);
