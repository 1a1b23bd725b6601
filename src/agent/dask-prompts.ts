// What the model is told when a data source is held by the Dask engine: `df` is lazy, and the idioms that keep
// the work on the cluster (compute small results, persist what is reused, no row-wise Python, plot computed data).
import type { DataProfile } from '../kernel/types';

/** The profile's Dask datasets, as `name` list; empty when everything is pandas. */
export function daskSources(profile: DataProfile | undefined): string[] {
  return (profile?.files ?? []).filter((f) => f.dataEngine === 'dask' && !f.error).map((f) => f.key ?? f.name);
}

export function daskSection(profile: DataProfile | undefined): string | undefined {
  const names = daskSources(profile);
  if (!names.length) return undefined;
  return [
    '## Dask (out-of-memory data)',
    `The data source${names.length === 1 ? '' : 's'} ${names.map((n) => `\`${n}\``).join(', ')} ${names.length === 1 ? 'is' : 'are'} a LAZY Dask DataFrame (dask.dataframe), not pandas: it may be larger than memory and is computed on a Dask cluster. \`dd\` (dask.dataframe) and \`client\` (the distributed Client) are defined.`,
    '- Write pandas-style expressions on it (filters, groupby, agg, value_counts, nlargest); nothing runs until `.compute()`.',
    '- Call `.compute()` only on SMALL results (an aggregate, a group-by, `.head()`, a sample): never `df.compute()` on the whole dataset, and never `len(df)` in a loop.',
    '- Compute several results in one pass with `dd.compute(a, b, c)`; `.persist()` a filtered frame you reuse in several steps.',
    '- No row-wise Python loops (`iterrows`, `apply` with axis=1 over all rows, `for` over rows); use vectorised column operations.',
    '- Plot only computed (pandas) results: aggregate first, `.compute()`, then plot the small pandas object.',
    '- Set `result` to a computed pandas value or number, not to a lazy Dask object.',
  ].join('\n');
}
