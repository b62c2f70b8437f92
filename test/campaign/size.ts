// Campaign size: CI runs each campaign small (minutes); BOARD_CAMPAIGN=full (what
// `npm run campaign` sets) runs the size docs/security.md reports.
export const FULL = process.env.BOARD_CAMPAIGN === 'full';

/** `ci` normally, `full` under BOARD_CAMPAIGN=full; BOARD_CAMPAIGN=<number> scales `full` by it. */
export function campaignSize(ci: number, full: number): number {
  const v = process.env.BOARD_CAMPAIGN;
  if (v === 'full') return full;
  const scale = Number(v);
  return v && Number.isFinite(scale) && scale > 0 ? Math.max(1, Math.round(full * scale)) : ci;
}

/** One line the campaign runner (bench/campaign/run.ts) collects into its summary. */
export function reportFigures(name: string, figures: Record<string, unknown>): void {
  console.log(
    `CAMPAIGN ${name} ${JSON.stringify({ ...figures, size: FULL ? 'full' : (process.env.BOARD_CAMPAIGN ?? 'ci'), date: new Date().toISOString() })}`,
  );
}

/** Deterministic PRNG (mulberry32): a failing run is reproduced with its printed seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
