// Reads what test/campaign/fixtures/loop-probe.ts wrote at a board's exit and condenses it: how
// long the board's event loop was held, split into the board's own CPU work and time the OS gave
// to other processes, and the longest holds with the requests then in flight.
import { existsSync, readFileSync } from 'node:fs';

export interface LoopStall {
  at: number;
  wallMs: number;
  cpuMs: number;
  waitMs: number;
  inflight: string[];
}

export interface LoopReport {
  seconds: number;
  loopDelay: { p50Ms: number; p99Ms: number; maxMs: number };
  stalls: LoopStall[];
}

/** '/api/scalars' from 'GET /api/scalars?run=...' (blobs and Next assets grouped). */
function routeOf(inflight: string): string {
  const path = (inflight.split(' ')[1] ?? '').split('?')[0]!.slice(0, 60);
  return path.startsWith('/api/blob/') ? '/api/blob/*' : path.startsWith('/_next/') ? '/_next/*' : path;
}

export function readLoopReport(path: string): LoopReport | null {
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as LoopReport) : null;
}

/**
 * Figures for a campaign's report: the longest hold by own work, the longest overall, totals; over
 * the stalls that ended within [from, to] (ms since the epoch), i.e. the campaign's measured phase.
 */
export function loopFigures(report: LoopReport, from = 0, to = Infinity) {
  const r = { ...report, stalls: report.stalls.filter((s) => s.at >= from && s.at <= to) };
  const byCpu = [...r.stalls].sort((a, b) => b.cpuMs - a.cpuMs);
  const byWall = [...r.stalls].sort((a, b) => b.wallMs - a.wallMs);
  const sum = (f: (s: LoopStall) => number) => r.stalls.reduce((a, s) => a + f(s), 0);
  return {
    stallsOver20Ms: r.stalls.length,
    stallWallMsTotal: sum((s) => s.wallMs),
    stallOwnCpuMsTotal: sum((s) => s.cpuMs),
    stallWaitingForCpuMsTotal: sum((s) => s.waitMs),
    // Neither on a CPU nor waiting for one: blocked inside a synchronous call (disk I/O, fsync).
    stallBlockedMsTotal: sum((s) => Math.max(0, s.wallMs - s.cpuMs - s.waitMs)),
    longestBlockedMs: Math.max(0, ...r.stalls.map((s) => s.wallMs - s.cpuMs - s.waitMs)),
    longestOwnCpuHoldMs: byCpu[0]?.cpuMs ?? 0,
    longestHoldWallMs: byWall[0]?.wallMs ?? 0,
    longestHold: byWall[0] ? { ...byWall[0], inflight: byWall[0].inflight.slice(0, 6) } : null,
    // Routes in flight during holds of 20+ ms of own CPU: the likely culprits.
    routesInOwnCpuHolds: Object.fromEntries(
      [
        ...r.stalls
          .filter((s) => s.cpuMs >= 20)
          .flatMap((s) => [...new Set(s.inflight.map(routeOf))])
          .reduce((m, route) => m.set(route, (m.get(route) ?? 0) + 1), new Map<string, number>()),
      ].sort((a, b) => b[1] - a[1]),
    ),
    topOwnCpuHolds: byCpu.slice(0, 5).map((s) => ({ ...s, inflight: s.inflight.slice(0, 6) })),
  };
}
