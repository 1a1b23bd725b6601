// The text the benchmark server streams, one delta per chunk; shared by the server and the clients
// that check they received all of it.
export const benchDelta = (i) => (i % 7 === 0 ? ' 数据' : ` tok${i % 100}`);

const texts = new Map();
export function benchText(n) {
  if (texts.has(n)) return texts.get(n);
  let s = '';
  for (let i = 0; i < n; i++) s += benchDelta(i);
  texts.set(n, s);
  return s;
}
