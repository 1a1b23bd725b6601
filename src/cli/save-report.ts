// `radarm chat --save-report FILE.html|FILE.md`: the turn just answered, written as a report.
import { writeFile } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import type { RadarmEvent } from '../protocol/events';
import { buildReport, reportFormatOf } from '../report';
import { readPlotlyJs } from '../report/plotly-source';
import type { CliConfig } from './args';

/** Writes the report; says where on stderr. False (after a clear message) when it cannot be written. */
export async function saveCliReport(config: CliConfig, question: string, events: RadarmEvent[]): Promise<boolean> {
  const file = config.saveReport!;
  const locale = /^zh/i.test(process.env.LC_ALL || process.env.LC_MESSAGES || process.env.LANG || '') ? 'zh-cn' : 'en';
  try {
    const text = await buildReport(
      reportFormatOf(file) ?? 'html',
      [{ id: 'cli', question, mode: config.mode, dataFiles: config.dataFiles.map((f) => relative(process.cwd(), f) || f), events, startedAt: Date.now(), model: config.provider.model }],
      { locale, baseDir: dirname(file), loadPlotly: () => readPlotlyJs(__dirname) },
    );
    // The events are the printed ones, secrets already masked in their values (the key by runMode, database
    // passwords by the caller), so nothing is masked in the finished file, whose data: URLs it could corrupt.
    await writeFile(file, text, 'utf8');
    process.stderr.write(`radarm: report saved to ${file}\n`);
    return true;
  } catch (err) {
    process.stderr.write(`radarm: could not write the report ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}. Choose a writable path.\n`);
    return false;
  }
}
