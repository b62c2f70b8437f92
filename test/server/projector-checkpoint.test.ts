// TensorFlow checkpoints in the projector: the reader against TensorFlow's own values, the projector's
// listing and loading of checkpoint tensors (TensorFlow's tutorial layout, model_checkpoint_path,
// a bare checkpoint folder), --logdir_spec roots, and clear errors for corrupt or outside files.
// Fixtures: test/fixtures/projector-tf, written by real TensorFlow 2.21 (generate.py there);
// EXPECTED.txt is TensorFlow's reading of every tensor (name, dtype, shape, sum, first values).
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { CheckpointError, latestCheckpoint, readCheckpointIndex, readCheckpointTensorF32 } from '../../lib/tfevents/tf-checkpoint.ts';
import { listProjectorEmbeddings, loadEmbedding, ProjectorError } from '../../lib/server/projector.ts';

const FIXTURE = resolve(import.meta.dirname, '../fixtures/projector-tf');
const tmp = mkdtempSync(join(tmpdir(), 'board-ckpt-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A private copy of the fixture (tests corrupt and rearrange files). */
function copy(name: string): string {
  const dir = mkdtempSync(join(tmp, `${name}-`));
  cpSync(FIXTURE, dir, { recursive: true });
  return dir;
}

/** The API's base64 float32 values. */
function f32(base64: string): Float32Array {
  const b = Buffer.from(base64, 'base64');
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
}

const expected = readFileSync(join(FIXTURE, 'EXPECTED.txt'), 'utf8')
  .trim()
  .split('\n')
  .map((line) => {
    const [ckpt, name, dtype, shape, sum, first] = line.split('\t');
    return {
      ckpt: ckpt!,
      name: name!,
      dtype: dtype!,
      shape: JSON.parse(shape!) as number[],
      sum: Number(sum),
      first: JSON.parse(first!) as number[],
    };
  });

describe('TensorFlow V2 checkpoint reader', () => {
  test('every tensor TensorFlow saved reads back with its shape and values', () => {
    expect(expected.length).toBeGreaterThan(300);
    const indexes = new Map<string, ReturnType<typeof readCheckpointIndex>>();
    for (const e of expected) {
      const prefix = join(FIXTURE, e.ckpt);
      if (!indexes.has(prefix)) indexes.set(prefix, readCheckpointIndex(prefix));
      const t = readCheckpointTensorF32(indexes.get(prefix)!, e.name);
      expect(t.shape, e.name).toEqual(e.shape);
      let sum = 0;
      for (const v of t.data) sum += v;
      // float32 accumulation of float64/float16 values converted to float32: relative 1e-5.
      expect(Math.abs(sum - e.sum), `${e.name} sum`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(e.sum)));
      e.first.forEach((v, i) => expect(t.data[i], `${e.name}[${i}]`).toBe(Math.fround(v)));
    }
    // The many-variable index spans several table blocks; all 305 entries are found.
    expect(indexes.get(join(FIXTURE, 'many/ckpt/model'))!.tensors.size).toBe(305);
  });

  test("latestCheckpoint follows the folder's checkpoint state file", () => {
    expect(latestCheckpoint(join(FIXTURE, 'tutorial'))).toBe(join(FIXTURE, 'tutorial/embedding.ckpt-1'));
    expect(latestCheckpoint(join(FIXTURE, 'many'))).toBeNull();
  });

  test('a corrupt index block or tensor is refused, naming the file and offset', () => {
    const dir = copy('corrupt');
    const prefix = join(dir, 'tutorial/embedding.ckpt-1');
    const index = readFileSync(`${prefix}.index`);
    const bad = Buffer.from(index);
    bad[40] = bad[40]! ^ 0xff; // inside the first data block
    writeFileSync(`${prefix}.index`, bad);
    expect(() => readCheckpointIndex(prefix)).toThrow(/embedding\.ckpt-1\.index: corrupt block at offset 0 \(CRC mismatch\)/);
    writeFileSync(`${prefix}.index`, index);
    const data = readFileSync(`${prefix}.data-00000-of-00001`);
    const ix = readCheckpointIndex(prefix);
    const t = ix.tensors.get('embedding/.ATTRIBUTES/VARIABLE_VALUE')!;
    data[t.offset + 3] = data[t.offset + 3]! ^ 0x01;
    writeFileSync(`${prefix}.data-00000-of-00001`, data);
    expect(() => readCheckpointTensorF32(ix, t.name)).toThrow(
      new RegExp(`data-00000-of-00001: tensor '${t.name}' at offset ${t.offset} is corrupt`),
    );
    writeFileSync(join(dir, 'not-an-index.index'), Buffer.alloc(100));
    expect(() => readCheckpointIndex(join(dir, 'not-an-index'))).toThrow(CheckpointError);
    expect(() => readCheckpointIndex(join(dir, 'not-an-index'))).toThrow(/bad table magic/);
    expect(() => readCheckpointTensorF32(ix, 'nope')).toThrow(/no tensor 'nope'/);
  });
});

describe('projector over TensorFlow checkpoints', () => {
  test("TensorFlow's tutorial folder: tensor_name only, metadata labels, checkpoint found through the state file", () => {
    const roots = [{ name: null, path: FIXTURE }];
    const list = listProjectorEmbeddings(roots);
    const tut = list.find((e) => e.run === 'tutorial')!;
    expect(tut).toMatchObject({ tensorName: 'embedding/.ATTRIBUTES/VARIABLE_VALUE', shape: [12, 5], hasMetadata: true, problem: null });
    const data = loadEmbedding(roots, 'tutorial', tut.tensorName);
    expect(data.shape).toEqual([12, 5]);
    const values = f32(data.values);
    // generate.py: arange(60).reshape(12, 5) / 7 - 3, in float32.
    for (let i = 0; i < 60; i++) expect(values[i]).toBe(Math.fround(Math.fround(i / 7) - 3));
    expect(data.metadata!.rows.map((r) => r[0])).toEqual(Array.from({ length: 12 }, (_, i) => `word_${i}`));
  });

  test('model_checkpoint_path names the checkpoint; float64 and float16 embeddings load as float32', () => {
    const roots = [{ name: null, path: FIXTURE }];
    const many = listProjectorEmbeddings(roots).filter((e) => e.run === 'many');
    expect(many.map((e) => [e.tensorName, e.shape, e.problem])).toEqual([
      ['big/.ATTRIBUTES/VARIABLE_VALUE', [700, 16], null],
      ['doubles/.ATTRIBUTES/VARIABLE_VALUE', [9, 4], null],
      ['halves/.ATTRIBUTES/VARIABLE_VALUE', [6, 3], null],
    ]);
    const doubles = expected.find((e) => e.name === 'doubles/.ATTRIBUTES/VARIABLE_VALUE')!;
    const d = loadEmbedding(roots, 'many', doubles.name);
    const values = f32(d.values);
    expect(Array.from(values.slice(0, 3))).toEqual(doubles.first.map((v) => Math.fround(v)));
  });

  test('a folder with a checkpoint and no config offers its 2-D numeric tensors', () => {
    const dir = copy('bare');
    rmSync(join(dir, 'tutorial/projector_config.pbtxt'));
    const list = listProjectorEmbeddings([{ name: null, path: dir }]).filter((e) => e.run === 'tutorial');
    // save_counter (a scalar) and the object graph (strings) are not embeddings.
    expect(list.map((e) => [e.tensorName, e.shape, e.hasMetadata])).toEqual([['embedding/.ATTRIBUTES/VARIABLE_VALUE', [12, 5], false]]);
    expect(loadEmbedding([{ name: null, path: dir }], 'tutorial', list[0]!.tensorName).shape).toEqual([12, 5]);
  });

  test('--logdir_spec roots: runs carry the source name, and each loads from its own folder', () => {
    const a = copy('spec-a'),
      b = copy('spec-b');
    rmSync(join(b, 'many'), { recursive: true });
    const roots = [
      { name: 'first', path: a },
      { name: 'second', path: b },
    ];
    const runs = [...new Set(listProjectorEmbeddings(roots).map((e) => e.run))];
    expect(runs).toEqual(['first/many', 'first/tutorial', 'second/tutorial']);
    expect(loadEmbedding(roots, 'second/tutorial', 'embedding/.ATTRIBUTES/VARIABLE_VALUE').shape).toEqual([12, 5]);
    expect(() => loadEmbedding(roots, 'second/many', 'big/.ATTRIBUTES/VARIABLE_VALUE')).toThrow(ProjectorError);
    expect(() => loadEmbedding(roots, 'third/tutorial', 'x')).toThrow(/no projector_config.pbtxt or checkpoint in run 'third\/tutorial'/);
  });

  test('a checkpoint outside the log directory or a missing tensor is a problem, not a crash', () => {
    const dir = copy('outside');
    const cfg = join(dir, 'many/projector_config.pbtxt');
    writeFileSync(
      cfg,
      readFileSync(cfg, 'utf8').replace(
        'model_checkpoint_path: "ckpt/model"',
        `model_checkpoint_path: "${join(FIXTURE, 'many/ckpt/model')}"`,
      ),
    );
    const many = listProjectorEmbeddings([{ name: null, path: dir }]).filter((e) => e.run === 'many');
    expect(many.length).toBe(3);
    for (const e of many) expect(e.problem).toMatch(/outside the log directory/);
    expect(() => loadEmbedding([{ name: null, path: dir }], 'many', 'big/.ATTRIBUTES/VARIABLE_VALUE')).toThrow(/outside the log directory/);

    const tut = join(dir, 'tutorial/projector_config.pbtxt');
    writeFileSync(tut, readFileSync(tut, 'utf8').replace('embedding/.ATTRIBUTES', 'missing/.ATTRIBUTES'));
    const [t] = listProjectorEmbeddings([{ name: null, path: dir }]).filter((e) => e.run === 'tutorial');
    expect(t!.problem).toBe("no tensor 'missing/.ATTRIBUTES/VARIABLE_VALUE' in checkpoint tutorial/embedding.ckpt-1");
  });
});
