// Parses `--samples_per_plugin` ("scalars=500,images=10"), TensorBoard's flag syntax.
import type { SampleCaps } from './registry.ts';
import { SAMPLED_PLUGINS } from '../domain/plugins.ts';

const KNOWN = new Set<string>(SAMPLED_PLUGINS);

export function parseSampleCaps(spec: string): SampleCaps {
  const caps: SampleCaps = {};
  for (const part of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^([a-z_]+)=(\d+)$/.exec(part);
    if (!m) throw new Error(`--samples_per_plugin: expected PLUGIN=N, got '${part}'`);
    const [, plugin, n] = m;
    if (!KNOWN.has(plugin!)) throw new Error(`--samples_per_plugin: unknown plugin '${plugin}' (known: ${[...KNOWN].join(', ')})`);
    caps[plugin as keyof SampleCaps] = Number(n);
  }
  return caps;
}

/** Keeps at most `cap` items, evenly spaced, always including the last (TensorBoard's reservoir keeps the newest). */
export function evenlySample<T>(items: T[], cap: number | undefined): T[] {
  if (cap === undefined || cap <= 0 || items.length <= cap) return items;
  if (cap === 1) return [items[items.length - 1]!];
  const out: T[] = [];
  const stride = (items.length - 1) / (cap - 1);
  for (let i = 0; i < cap; i++) out.push(items[Math.round(i * stride)]!);
  return out;
}
