// Stable run colours: a run's colour depends only on its name (FNV-1a hash into a palette tuned
// for both themes), so it never shifts when other runs appear, disappear or are filtered out.
const PALETTE = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#17becf',
  '#bcbd22',
  '#3366cc',
  '#dc3912',
  '#109618',
  '#990099',
  '#0099c6',
  '#dd4477',
  '#66aa00',
  '#b82e2e',
  '#316395',
  '#22aa99',
  '#aaaa11',
  '#6633cc',
  '#e67300',
  '#329262',
  '#5574a6',
];

export function runColor(run: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < run.length; i++) {
    h ^= run.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return PALETTE[(h >>> 0) % PALETTE.length]!;
}
