// Runs every test phase in order, streaming their output, and closes with one summary line
// ("tests: N passed, N failed") that CI can read. Exits non-zero when any phase fails.
// usage: node scripts/test.mjs [phase ...]   (phases: unit webview vscode; default all)
import { spawn } from 'node:child_process';

const phases = {
  unit: ['npx', ['mocha', 'test/unit/**/*.test.ts']],
  webview: ['npx', ['mocha', '--timeout', '60000', 'test/webview/**/*.test.ts']],
  vscode: ['node', ['scripts/test-vscode.mjs']],
};
const wanted = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(phases);

function run(name, [cmd, args]) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    console.log(`\n=== ${name} tests ===`);
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => {
      process.stdout.write(d);
      out += d.toString();
      if (out.length > 1e6) out = out.slice(-1e5);
    });
    child.on('close', (code) => {
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
}
console.log('\n=== summary ===');
for (const r of results)
  console.log(`${r.name}: ${r.passed} passed, ${r.failed} failed, ${r.pending} pending, exit ${r.code}, ${r.seconds}s`);
const passed = results.reduce((s, r) => s + r.passed, 0);
const failed = results.reduce((s, r) => s + r.failed, 0) + results.filter((r) => r.code !== 0 && r.failed === 0).length;
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(results.every((r) => r.code === 0) ? 0 : 1);
