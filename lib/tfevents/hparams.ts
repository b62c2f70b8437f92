// add_hparams payloads, as torch.utils.tensorboard.summary.hparams builds them: an Experiment
// (hparam + metric infos), a SessionStartInfo (the values) and a SessionEndInfo (STATUS_SUCCESS),
// each a metadata-only Summary.Value of plugin "hparams" under its _hparams_/ tag.
import { encodeFromJson } from './proto.ts';
import type { ValueFieldsOut } from './event-encode.ts';

export const EXPERIMENT_TAG = '_hparams_/experiment';
export const SESSION_START_INFO_TAG = '_hparams_/session_start_info';
export const SESSION_END_INFO_TAG = '_hparams_/session_end_info';

export type HparamValue = number | string | boolean | { shape: readonly number[]; dataSync(): ArrayLike<number> };

function protoValue(v: number | string | boolean): Record<string, unknown> {
  // PyTorch tests int/float before bool, and Python's bool is an int: booleans become numbers.
  if (typeof v === 'number' || typeof v === 'boolean') return { numberValue: Number(v) };
  return { stringValue: v };
}

function sortedKeys(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.keys(o)
      .sort()
      .map((k) => [k, o[k]]),
  );
}

function payload(data: Record<string, unknown>): Uint8Array {
  return encodeFromJson('tensorboard.hparams.HParamsPluginData', { version: 0, ...data });
}

/** The three Summary.Values of add_hparams, in the order PyTorch writes them. */
export function hparamsValues(
  hparamDict: Record<string, HparamValue | null | undefined>,
  metricDict: Record<string, number>,
  domainDiscrete: Record<string, Array<number | string | boolean>> = {},
): ValueFieldsOut[] {
  if (typeof hparamDict !== 'object' || hparamDict === null || typeof metricDict !== 'object' || metricDict === null) {
    throw new TypeError('addHparams: hparamDict and metricDict should be objects');
  }
  for (const [k, d] of Object.entries(domainDiscrete)) {
    const v = hparamDict[k];
    if (v === undefined || v === null || !Array.isArray(d) || !d.every((x) => typeof x === typeof v)) {
      throw new TypeError(`addHparams: hparamDomainDiscrete['${k}'] should be a list of the same type as hparamDict['${k}']`);
    }
  }
  const hparamInfos: Record<string, unknown>[] = [];
  const hparams: Record<string, unknown> = {};
  for (const [k, raw] of Object.entries(hparamDict)) {
    if (raw === null || raw === undefined) continue;
    let v: number | string | boolean;
    let fromTensor = false;
    if (typeof raw === 'object' && typeof raw.dataSync === 'function') {
      v = Number(raw.dataSync()[0]);
      fromTensor = true;
    } else if (typeof raw === 'number' || typeof raw === 'string' || typeof raw === 'boolean') v = raw;
    else throw new TypeError(`addHparams: hparamDict['${k}'] should be a number, string, boolean or tensor, got ${typeof raw}`);
    hparams[k] = protoValue(v);
    const type = typeof v === 'string' ? 'DATA_TYPE_STRING' : 'DATA_TYPE_FLOAT64';
    const info: Record<string, unknown> = { name: k, type };
    if (!fromTensor && k in domainDiscrete) info.domainDiscrete = { values: domainDiscrete[k]!.map(protoValue) };
    hparamInfos.push(info);
  }
  const metricInfos = Object.keys(metricDict).map((tag) => ({ name: { tag } }));
  const meta = (content: Uint8Array) => ({ pluginName: 'hparams', content });
  return [
    { tag: EXPERIMENT_TAG, metadata: meta(payload({ experiment: { hparamInfos, metricInfos } })) },
    // Map entries sorted by key, as PyTorch's protobuf serializes them.
    { tag: SESSION_START_INFO_TAG, metadata: meta(payload({ sessionStartInfo: { hparams: sortedKeys(hparams) } })) },
    { tag: SESSION_END_INFO_TAG, metadata: meta(payload({ sessionEndInfo: { status: 'STATUS_SUCCESS' } })) },
  ];
}
