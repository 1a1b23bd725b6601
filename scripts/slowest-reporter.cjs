// Mocha's spec reporter plus, at the end, the slowest tests and hooks of the run with their times, so a
// phase's time can be read where it goes (a kernel started per test, a server per file, a fixed wait).
// usage: mocha --reporter ./scripts/slowest-reporter.cjs   (RADARM_SLOWEST=N lists N, default 15)
'use strict';
const Mocha = require('mocha');

const { EVENT_TEST_END, EVENT_HOOK_END, EVENT_RUN_END } = Mocha.Runner.constants;

class SlowestReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const n = Number(process.env.RADARM_SLOWEST || 15);
    const tests = [];
    const hooks = [];
    runner.on(EVENT_TEST_END, (t) => tests.push({ ms: t.duration ?? 0, name: t.fullTitle(), file: t.file }));
    runner.on(EVENT_HOOK_END, (h) => {
      if ((h.duration ?? 0) >= 100) hooks.push({ ms: h.duration, name: `${h.parent?.fullTitle() || '(root)'}: ${h.originalTitle || h.title}`, file: h.file });
    });
    runner.once(EVENT_RUN_END, () => {
      const rel = (f) => (f ? require('node:path').relative(process.cwd(), f) : '');
      const show = (title, rows) => {
        if (!rows.length) return;
        console.log(`\n  ${title}`);
        for (const r of rows.sort((a, b) => b.ms - a.ms).slice(0, n))
          console.log(`  ${(r.ms / 1000).toFixed(2).padStart(7)} s  ${r.name}  [${rel(r.file)}]`);
      };
      const total = (rows) => (rows.reduce((s, r) => s + r.ms, 0) / 1000).toFixed(1);
      show(`slowest ${n} tests (all tests: ${total(tests)} s)`, tests);
      show(`slowest ${n} hooks (hooks over 0.1 s: ${total(hooks)} s)`, hooks);
    });
  }
}

module.exports = SlowestReporter;
