// "Write exactly what PyTorch writes": events from real PyTorch files, re-encoded by our encoder
// from their decoded fields, must come out byte for byte identical.
import { expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { HAS_SHARED, SHARED_DIR, sharedOrSkipNotice } from '../helpers/shared.ts';
import { FIXTURE_CORPUS_DIR } from '../helpers/tfevents-corpus.ts';
import { scanRecords } from '../../lib/tfevents/record.ts';
import { readEventFile } from '../../lib/tfevents/index.ts';
import { encodeEvent, encodeSimpleValueSummary, encodeSummary, encodeTensor } from '../../lib/tfevents/event-encode.ts';
import { DT } from '../../lib/tfevents/dtypes.ts';
import { hparamsValues } from '../../lib/tfevents/hparams.ts';

function records(path: string): Uint8Array[] {
  const buf = new Uint8Array(readFileSync(path));
  const out: Uint8Array[] = [];
  scanRecords(buf, 0, path, {
    onRecord: (b, s, e) => out.push(b.slice(s, e)),
    onCorrupt: () => {
      throw new Error('corrupt');
    },
  });
  return out;
}

test('add_scalar events of torch.utils.tensorboard re-encode byte for byte', () => {
  for (const rel of [
    'reducer-torch/strict/run_1/events.out.tfevents.1622543341.janoshs-mbp.lan.86862.0',
    'lightning/tb_logs/mnist_model_v0/version_0/events.out.tfevents.1721295726.pranjal.22988.0',
  ]) {
    const path = resolve(FIXTURE_CORPUS_DIR, rel);
    const recs = records(path);
    const res = readEventFile(path);
    const scalars = res.values;
    expect(scalars.length).toBe(recs.length - 1);
    scalars.forEach((v, i) => {
      if (v.data.kind !== 'scalar') throw new Error(v.kind);
      const ours = encodeEvent({ wallTime: v.wallTime!, step: v.step, summary: encodeSimpleValueSummary(v.tag, v.data.value) });
      expect(ours, `${rel} record ${i + 1}`).toEqual(recs[i + 1]);
    });
  }
});

sharedOrSkipNotice('the byte comparisons with PyTorch hparams / PR-curve files (not licensed for copying)');
const HPARAMS = resolve(
  SHARED_DIR,
  'testdata/tfevents/study-torch/runs/hparams_search_exp_1/1771595857.3236299/events.out.tfevents.1771595857.zyzkings.1216.1',
);

test.skipIf(!HAS_SHARED)('add_hparams payloads re-encode byte for byte (corpus file of PyTorch)', () => {
  const recs = records(HPARAMS);
  const vals = readEventFile(HPARAMS).values;
  const start = vals.find((v) => v.tag === '_hparams_/session_start_info')!.data as { payload: any };
  const exp = vals.find((v) => v.tag === '_hparams_/experiment')!.data as { payload: any };
  const hp: Record<string, number | string> = {};
  for (const [k, v] of Object.entries<any>(start.payload.sessionStartInfo.hparams)) hp[k] = v.numberValue ?? v.stringValue;
  // Keep the experiment's order of hparams (PyTorch iterates the dict in insertion order).
  const ordered = Object.fromEntries(exp.payload.experiment.hparamInfos.map((h: any) => [h.name, hp[h.name]]));
  const metrics = Object.fromEntries(exp.payload.experiment.metricInfos.map((m: any) => [m.name.tag, 0]));
  const ours = hparamsValues(ordered, metrics);
  const theirs = vals.slice(0, 3);
  ours.forEach((v, i) => {
    const ev = encodeEvent({ wallTime: theirs[i]!.wallTime!, summary: encodeSummary([v]) });
    expect(ev, v.tag).toEqual(recs[i + 1]);
  });
});

const PR = resolve(SHARED_DIR, 'testdata/tfevents/study-torch/runs/pr_curve_experiment/events.out.tfevents.1771596445.zyzkings.30376.0');

test.skipIf(!HAS_SHARED)('add_pr_curve value layout re-encodes byte for byte (corpus file of PyTorch)', () => {
  const recs = records(PR);
  const vals = readEventFile(PR).values;
  vals.forEach((v, i) => {
    if (v.data.kind !== 'pr_curve') throw new Error(v.kind);
    const d = v.data;
    const flat = [d.tp, d.fp, d.tn, d.fn, d.precision, d.recall].flatMap((r) => Array.from(r));
    const tensor = encodeTensor(DT.FLOAT, [6, d.numThresholds], { floats: flat });
    const summary = encodeSummary([
      { tag: v.tag, tensor, metadata: { pluginName: 'pr_curves', content: Uint8Array.of(0x10, d.numThresholds) } },
    ]);
    expect(encodeEvent({ wallTime: v.wallTime!, step: v.step, summary }), `record ${i + 1}`).toEqual(recs[i + 1]);
  });
});
