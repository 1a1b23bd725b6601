// Reference statistics computed in TypeScript, independently of scipy/statsmodels/sklearn, so that the
// stats tests compare the kernel's numbers with values nobody's Python computed.

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const variance = (xs: number[]) => {
  const m = mean(xs);
  return xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1);
};

/** ln Γ(x), Lanczos approximation (g = 7, 9 terms): ~15 significant digits for x > 0. */
export function lgamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lgamma(1 - x);
  x -= 1;
  let a = c[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Two-sided p-value of Student's t with df degrees of freedom: Simpson's rule on the density from 0 to |t|. */
export function tTwoSidedP(t: number, df: number): number {
  const logC = lgamma((df + 1) / 2) - lgamma(df / 2) - 0.5 * Math.log(df * Math.PI);
  const f = (x: number) => Math.exp(logC - ((df + 1) / 2) * Math.log(1 + (x * x) / df));
  const n = 20000;
  const b = Math.abs(t);
  const h = b / n;
  let s = f(0) + f(b);
  for (let i = 1; i < n; i++) s += f(i * h) * (i % 2 ? 4 : 2);
  return 1 - 2 * ((s * h) / 3);
}

/** Welch's t-test: statistic, Welch–Satterthwaite df and the two-sided p-value. */
export function welch(a: number[], b: number[]): { t: number; df: number; p: number } {
  const va = variance(a) / a.length;
  const vb = variance(b) / b.length;
  const t = (mean(a) - mean(b)) / Math.sqrt(va + vb);
  const df = (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1));
  return { t, df, p: tTwoSidedP(t, df) };
}

/** Simple linear regression y = a + b x by the closed form: coefficients, their standard errors, t, R². */
export function simpleOls(x: number[], y: number[]) {
  const n = x.length;
  const mx = mean(x);
  const my = mean(y);
  const sxx = x.reduce((s, v) => s + (v - mx) ** 2, 0);
  const sxy = x.reduce((s, v, i) => s + (v - mx) * (y[i] - my), 0);
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  const sse = y.reduce((s, v, i) => s + (v - intercept - slope * x[i]) ** 2, 0);
  const sst = y.reduce((s, v) => s + (v - my) ** 2, 0);
  const sigma2 = sse / (n - 2);
  const seSlope = Math.sqrt(sigma2 / sxx);
  const seIntercept = Math.sqrt(sigma2 * (1 / n + (mx * mx) / sxx));
  return { slope, intercept, seSlope, seIntercept, tSlope: slope / seSlope, r2: 1 - sse / sst, pSlope: tTwoSidedP(slope / seSlope, n - 2) };
}

/** 1-nearest-neighbour predictions (Euclidean), and per-class precision/recall/F1 and accuracy. */
export function nearestNeighbour(train: number[][], trainLabels: number[], test: number[][]): number[] {
  return test.map((p) => {
    let best = 0;
    let bestD = Infinity;
    train.forEach((q, i) => {
      const d = q.reduce((s, v, k) => s + (v - p[k]) ** 2, 0);
      if (d < bestD) [best, bestD] = [i, d];
    });
    return trainLabels[best];
  });
}

export function classMetrics(truth: number[], pred: number[]) {
  const classes = [...new Set(truth)].sort((a, b) => a - b);
  const per = new Map<number, { precision: number; recall: number; f1: number; support: number }>();
  for (const c of classes) {
    const tp = truth.filter((t, i) => t === c && pred[i] === c).length;
    const fp = truth.filter((t, i) => t !== c && pred[i] === c).length;
    const fn = truth.filter((t, i) => t === c && pred[i] !== c).length;
    const precision = tp + fp ? tp / (tp + fp) : 0;
    const recall = tp + fn ? tp / (tp + fn) : 0;
    per.set(c, { precision, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0, support: tp + fn });
  }
  const accuracy = truth.filter((t, i) => t === pred[i]).length / truth.length;
  return { per, accuracy };
}
