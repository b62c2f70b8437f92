// Views assembled from stored rows, shared by the SQLite and PostgreSQL query modules.
import { f64 } from './scalar-read.ts';
import type { HistogramEntry, HparamsSession, HparamsView, PrCurveEntry } from './types.ts';

export interface HistogramRow {
  step: number;
  wall: number | null;
  min: number;
  max: number;
  num: number;
  sum: number;
  sum_squares: number;
  buckets: Uint8Array;
}
export interface PrCurveRow {
  step: number;
  wall: number | null;
  thresholds: number;
  data: Uint8Array;
}

/** A stored histogram row: buckets are float64 [left..., right..., count...]. */
export function histogramEntry(r: HistogramRow): HistogramEntry {
  const f = f64(r.buckets),
    k = f.length / 3;
  const buckets = new Array(k);
  for (let i = 0; i < k; i++) buckets[i] = { left: f[i]!, right: f[k + i]!, count: f[2 * k + i]! };
  return { step: r.step, wallTime: r.wall, min: r.min, max: r.max, num: r.num, sum: r.sum, sumSquares: r.sum_squares, buckets };
}

/** A stored PR-curve row: float64 rows tp, fp, tn, fn, precision, recall. */
export function prCurveEntry(r: PrCurveRow): PrCurveEntry {
  const f = f64(r.data),
    t = r.thresholds;
  const row = (i: number) => Array.from(f.subarray(i * t, (i + 1) * t));
  // TensorBoard's pr_curves plugin spaces thresholds evenly over [0, 1].
  const thresholds = Array.from({ length: t }, (_, i) => (t > 1 ? i / (t - 1) : 0));
  return { step: r.step, wallTime: r.wall, tp: row(0), fp: row(1), tn: row(2), fn: row(3), precision: row(4), recall: row(5), thresholds };
}

// ---- hparams -------------------------------------------------------------------------------------

/** Assemble the hparams view from stored plugin payloads (HParamsPluginData as JSON). */
export async function buildHparams(
  rows: { run: string; part: string; wall: number | null; payload: string }[],
  lastScalar: (run: string, tag: string) => number | undefined | Promise<number | undefined>,
): Promise<HparamsView> {
  const hparamInfos = new Map<string, HparamsView['hparamInfos'][number]>();
  const metricInfos = new Map<string, HparamsView['metricInfos'][number]>();
  const sessions = new Map<string, HparamsSession>();
  const session = (run: string) => {
    let s = sessions.get(run);
    if (!s) {
      s = { run, hparams: {}, metrics: {}, status: null, startTime: null, endTime: null };
      sessions.set(run, s);
    }
    return s;
  };
  for (const r of rows) {
    let p: Record<string, any>;
    try {
      p = JSON.parse(r.payload);
    } catch {
      continue;
    }
    if (r.part === 'experiment') {
      const e = p.experiment ?? p;
      for (const h of e.hparamInfos ?? e.hparam_infos ?? []) {
        if (!h?.name || hparamInfos.has(h.name)) continue;
        const domain = h.domainDiscrete ?? h.domain_discrete ?? h.domainInterval ?? h.domain_interval;
        hparamInfos.set(h.name, { name: h.name, type: typeName(h.type), domain: domain && normalizeDomain(domain) });
      }
      for (const m of e.metricInfos ?? e.metric_infos ?? []) {
        const tag = m?.name?.tag;
        if (!tag) continue;
        const group = m.name.group || undefined;
        const key = `${group ?? ''}\u0000${tag}`;
        if (!metricInfos.has(key)) metricInfos.set(key, { tag, group, displayName: m.displayName ?? m.display_name ?? undefined });
      }
    } else if (r.part === 'session_start') {
      const st = p.sessionStartInfo ?? p.session_start_info ?? p;
      const s = session(r.run);
      for (const [k, v] of Object.entries((st.hparams ?? {}) as Record<string, unknown>)) s.hparams[k] = protoValue(v);
      const t = Number(st.startTimeSecs ?? st.start_time_secs);
      s.startTime = Number.isFinite(t) && t > 0 ? t : r.wall;
    } else if (r.part === 'session_end') {
      const en = p.sessionEndInfo ?? p.session_end_info ?? p;
      const s = session(r.run);
      s.status = statusName(en.status);
      const t = Number(en.endTimeSecs ?? en.end_time_secs);
      s.endTime = Number.isFinite(t) && t > 0 ? t : r.wall;
    }
  }
  // Metric values: the last value of each metric tag, in the session's run or its `group` sub-run
  // (Keras writes validation metrics to <session>/validation).
  for (const s of sessions.values()) {
    for (const m of metricInfos.values()) {
      const candidates = m.group ? [`${s.run}/${m.group}`, s.run] : [s.run];
      for (const run of candidates) {
        const v = await lastScalar(run, m.tag);
        if (v !== undefined) {
          s.metrics[m.tag] = v;
          break;
        }
      }
    }
  }
  return { hparamInfos: [...hparamInfos.values()], metricInfos: [...metricInfos.values()], sessions: [...sessions.values()] };
}

function protoValue(v: unknown): string | number | boolean {
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    for (const k of ['numberValue', 'number_value', 'stringValue', 'string_value', 'boolValue', 'bool_value']) {
      if (k in o) return o[k] as string | number | boolean;
    }
    return JSON.stringify(v);
  }
  return v as string | number | boolean;
}

function normalizeDomain(d: any): unknown {
  if (Array.isArray(d?.values)) return { values: d.values.map(protoValue) };
  return d;
}

const DATA_TYPES = ['DATA_TYPE_UNSET', 'DATA_TYPE_STRING', 'DATA_TYPE_BOOL', 'DATA_TYPE_FLOAT64'];
function typeName(t: unknown): string | undefined {
  if (typeof t === 'number') return DATA_TYPES[t];
  return typeof t === 'string' ? t : undefined;
}
const STATUSES = ['STATUS_UNKNOWN', 'STATUS_SUCCESS', 'STATUS_FAILURE', 'STATUS_RUNNING'];
function statusName(s: unknown): string | null {
  if (typeof s === 'number') return STATUSES[s] ?? String(s);
  return typeof s === 'string' ? s : null;
}
