// proto/*.proto is the schema; lib/tfevents/schema.generated.ts its JSON form used at run time.
import { expect, test } from 'vitest';
import { resolve } from 'node:path';
import { REPO_ROOT } from '../helpers/shared.ts';
import { schemaJsonFromProtoFiles } from '../../lib/tfevents/schema-source.ts';
import { SCHEMA_JSON } from '../../lib/tfevents/schema.generated.ts';
import { messageType } from '../../lib/tfevents/proto.ts';

test('schema.generated.ts is current (regenerate with: npx tsx proto/generate.ts)', () => {
  expect(JSON.parse(JSON.stringify(SCHEMA_JSON))).toEqual(schemaJsonFromProtoFiles(resolve(REPO_ROOT, 'proto')));
});

test("field numbers equal TensorBoard's (spot checks of the wire schema)", () => {
  const ids = (type: string) => Object.fromEntries(Object.entries(messageType(type).fields).map(([k, f]) => [k, f.id]));
  expect(ids('tensorboard.Event')).toEqual({
    wallTime: 1,
    step: 2,
    fileVersion: 3,
    graphDef: 4,
    summary: 5,
    logMessage: 6,
    sessionLog: 7,
    taggedRunMetadata: 8,
    metaGraphDef: 9,
    sourceMetadata: 10,
  });
  expect(ids('tensorboard.Summary.Value')).toEqual({
    nodeName: 7,
    tag: 1,
    metadata: 9,
    simpleValue: 2,
    obsoleteOldStyleHistogram: 3,
    image: 4,
    histo: 5,
    audio: 6,
    tensor: 8,
  });
  expect(ids('tensorboard.SummaryMetadata')).toEqual({ pluginData: 1, displayName: 2, summaryDescription: 3, dataClass: 4 });
  expect(ids('tensorboard.HistogramProto')).toEqual({ min: 1, max: 2, num: 3, sum: 4, sumSquares: 5, bucketLimit: 6, bucket: 7 });
  expect(ids('tensorboard.TensorProto')).toMatchObject({
    dtype: 1,
    tensorShape: 2,
    versionNumber: 3,
    tensorContent: 4,
    halfVal: 13,
    floatVal: 5,
    doubleVal: 6,
    intVal: 7,
    stringVal: 8,
    int64Val: 10,
    boolVal: 11,
  });
  expect(ids('tensorboard.hparams.HParamsPluginData')).toEqual({ version: 1, experiment: 2, sessionStartInfo: 3, sessionEndInfo: 4 });
  expect(ids('tensorboard.hparams.Experiment')).toEqual({
    name: 6,
    description: 1,
    user: 2,
    timeCreatedSecs: 3,
    hparamInfos: 4,
    metricInfos: 5,
  });
  expect(ids('tensorboard.hparams.SessionStartInfo')).toEqual({ hparams: 1, modelUri: 2, monitorUrl: 3, groupName: 4, startTimeSecs: 5 });
  expect(ids('tensorboard.PrCurvePluginData')).toEqual({ version: 1, numThresholds: 2 });
  expect(ids('tensorboard.NodeDef')).toMatchObject({ name: 1, op: 2, input: 3, device: 4, attr: 5 });
  expect(ids('tensorboard.AttrValue')).toEqual({ s: 2, i: 3, f: 4, b: 5, type: 6, shape: 7, tensor: 8, list: 1, func: 10, placeholder: 9 });
});
