// Our GraphDef / RunMetadata wire reader against the tfevents module's protobufjs decoding of the
// same bytes (an independent implementation over proto/), on graphs written by other tools.
import { expect, test } from 'vitest';
import { resolve } from 'node:path';
import { decodeGraphDef, decodeRunMetadata, readEventFile } from '../../lib/tfevents/index.ts';
import { graphDefNodes, runMetadataNodes } from '../../lib/store/graph-decode.ts';
import { CORPUS_DIR, loadExpected } from '../helpers/tfevents-corpus.ts';

const expected = loadExpected();
const withGraphs = Object.keys(expected).filter((rel) => expected[rel]!.has_graph_def || expected[rel]!.has_tagged_run_metadata);

test('the corpus has graphs to compare', () => {
  expect(withGraphs.length).toBeGreaterThanOrEqual(1);
});

test.each(withGraphs)('%s: nodes, ops, inputs, devices and attr names match protobufjs', (rel) => {
  const { values } = readEventFile(resolve(CORPUS_DIR, rel));
  for (const v of values) {
    if (v.data.kind === 'graph') {
      const mine = graphDefNodes(v.data.graphDef);
      const ref = (decodeGraphDef(v.data.graphDef).node ?? []) as Array<{
        name?: string;
        op?: string;
        input?: string[];
        device?: string;
        attr?: Record<string, unknown>;
      }>;
      expect(mine.length).toBe(ref.length);
      expect(mine.length).toBeGreaterThan(0);
      mine.forEach((n, i) => {
        const r = ref[i]!;
        expect([n.name, n.op, n.inputs, n.device ?? '']).toEqual([r.name ?? '', r.op ?? '', r.input ?? [], r.device ?? '']);
        expect(Object.keys(n.attrs).sort()).toEqual(Object.keys(r.attr ?? {}).sort());
      });
    } else if (v.data.kind === 'run_metadata') {
      const ref = decodeRunMetadata(v.data.runMetadata) as {
        stepStats?: { devStats?: Array<{ nodeStats?: Array<{ nodeName?: string }> }> };
        partitionGraphs?: Array<{ node?: unknown[] }>;
      };
      const refCount =
        (ref.partitionGraphs ?? []).reduce((a, g) => a + (g.node?.length ?? 0), 0) ||
        new Set((ref.stepStats?.devStats ?? []).flatMap((d) => (d.nodeStats ?? []).map((s) => s.nodeName))).size;
      expect(runMetadataNodes(v.data.runMetadata).length).toBe(refCount);
    }
  }
});

// Tiny protobuf encoder for hand-built messages.
const varint = (v: bigint) => {
  const out: number[] = [];
  let x = BigInt.asUintN(64, v);
  while (x >= 0x80n) {
    out.push(Number(x & 0x7fn) | 0x80);
    x >>= 7n;
  }
  out.push(Number(x));
  return out;
};
const key = (f: number, wt: number) => varint(BigInt(f * 8 + wt));
const len = (f: number, body: number[]) => [...key(f, 2), ...varint(BigInt(body.length)), ...body];
const str = (f: number, t: string) => len(f, [...Buffer.from(t, 'utf8')]);
const int = (f: number, v: bigint) => [...key(f, 0), ...varint(v)];
const entry = (k: string, value: number[]) => len(5, [...str(1, k), ...len(2, value)]);

test('attribute values: strings decoded, shapes as dimension lists, ints, lists', () => {
  const shape = [...len(2, int(1, 2n)), ...len(2, int(1, -1n))];
  const node = [
    ...str(1, 'x'),
    ...str(2, 'Const'),
    ...str(3, 'a:0'),
    ...str(3, '^b'),
    ...str(4, '/cpu:0'),
    ...entry('dtype', int(6, 1n)),
    ...entry('_output_shapes', len(1, len(7, shape))),
    ...entry('s', str(2, 'hé')),
    ...entry('n', int(3, -5n)),
    ...entry('ints', len(1, len(3, [...varint(1n), ...varint(300n)]))),
  ];
  const [n] = graphDefNodes(Uint8Array.from(len(1, node)));
  expect(n).toEqual({
    name: 'x',
    op: 'Const',
    inputs: ['a:0', '^b'],
    device: '/cpu:0',
    attrs: { dtype: { dtype: 1 }, _output_shapes: [[2, -1]], s: 'hé', n: -5, ints: [1, 300] },
  });
  expect(() => graphDefNodes(Uint8Array.from(len(1, node)).subarray(0, 10))).toThrow(/truncated/);
});
