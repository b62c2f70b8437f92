// float16, int8 and int16 (issue 14, item 1) through 'board' as users write them: half rounding checked over every
// half value, safetensors F16/I8/I16 and numpy()/fromNumpy round trips, and (when /usr/bin/python3 has torch)
// the rounding and the saved files checked against real PyTorch. The oracle cases in test/fixtures/oracle/dtypes/
// cover the arithmetic, promotion, casting and reductions against torch 1.13.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { tensor, save, load, type Tensor } from 'board';
import { halfBits, halfFromBits, roundHalf } from '../../lib/engine/half.ts';

const dir = mkdtempSync(join(tmpdir(), 'board-small-dtypes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('every finite half value survives encoding, and midpoints round to the even neighbour', () => {
  let checked = 0;
  for (let h = 0; h < 0x7c00; h++) {
    const v = halfFromBits(h);
    expect(halfBits(v)).toBe(h);
    expect(roundHalf(v)).toBe(v);
    if (h + 1 < 0x7c00) {
      const next = halfFromBits(h + 1);
      const mid = (v + next) / 2; // exact in double, and a float32 value too (one more mantissa bit)
      expect(roundHalf(mid)).toBe(h % 2 === 0 ? v : next);
      expect(roundHalf(-mid)).toBe(-(h % 2 === 0 ? v : next));
      expect(roundHalf(mid - (next - v) / 8)).toBe(v);
      expect(roundHalf(mid + (next - v) / 8)).toBe(next);
    }
    checked++;
  }
  expect(checked).toBe(0x7c00);
  expect(roundHalf(65519.99)).toBe(65504);
  expect(roundHalf(65520)).toBe(Infinity);
  expect(roundHalf(-1e-9)).toBe(-0);
  expect(Object.is(roundHalf(-1e-9), -0)).toBe(true);
});

test('dtype names, element sizes, legacy constructors and casts', () => {
  const h = tensor([0.1, 1 / 3], { dtype: tensor.half });
  expect(h.dtype).toBe('float16');
  expect(h.elementSize()).toBe(2);
  expect(h.type()).toBe('torch.HalfTensor');
  expect(h.tolist()).toEqual([0.0999755859375, 0.333251953125]);
  expect(tensor.CharTensor([1, -2]).type()).toBe('torch.CharTensor');
  expect(tensor.ShortTensor([300]).type()).toBe('torch.ShortTensor');
  expect(tensor.HalfTensor(2, 3).shape).toEqual([2, 3]);
  expect(tensor([1.5, -2.7]).half().dtype).toBe('float16');
  expect(tensor([300, -129]).char().tolist()).toEqual([44, 127]);
  expect(tensor([40000]).short().tolist()).toEqual([-25536]);
  expect(tensor.promoteTypes('int8', 'uint8')).toBe('int16');
  expect(tensor.promoteTypes('int16', 'float16')).toBe('float16');
});

test('int8/int16 arithmetic wraps around; float16 results are rounded per op', () => {
  const a = tensor([100, -100, 127], { dtype: 'int8' });
  expect(a.add(a).tolist()).toEqual([-56, 56, -2]);
  expect(a.add(tensor([1], { dtype: 'uint8' })).dtype).toBe('int16');
  const s = tensor([30000], { dtype: 'int16' });
  expect(s.mul(3).tolist()).toEqual([24464]);
  const h = tensor([0.1], { dtype: 'float16' });
  h.add_(0.1);
  expect(h.tolist()).toEqual([0.199951171875]);
  expect(() => tensor([1, 128], { dtype: 'int8' })).toThrow('value cannot be converted to type int8 without overflow');
});

test('numpy() keeps the dtype and shape and shares memory; fromNumpy round-trips', () => {
  for (const dtype of ['float16', 'int8', 'int16'] as const) {
    const t = tensor(
      [
        [1, -2, 3],
        [4, 5, -6],
      ],
      { dtype },
    );
    const np = t.numpy();
    expect(np.dtype).toBe(dtype);
    expect(np.shape).toEqual([2, 3]);
    const back = tensor.fromNumpy(np);
    expect(back.dtype).toBe(dtype);
    expect(back.tolist()).toEqual(t.tolist());
    np.data[0] = 7;
    expect(t.tolist()[0][0]).toBe(7);
    expect(back.tolist()[0][0]).toBe(7);
  }
});

test('save/load keeps float16, int8 and int16 (safetensors F16, I8, I16)', () => {
  const path = join(dir, 'small.safetensors');
  const sd = {
    h: tensor([0.1, -65504, 1e-7, 2049], { dtype: 'float16' }),
    c: tensor([-128, 127, 5], { dtype: 'int8' }),
    s: tensor([-32768, 32767], { dtype: 'int16' }),
  };
  save(sd, path);
  const got = load(path) as Record<string, Tensor>;
  for (const k of Object.keys(sd) as (keyof typeof sd)[]) {
    expect(got[k]!.dtype).toBe(sd[k].dtype);
    expect(got[k]!.tolist()).toEqual(sd[k].tolist());
  }
});

// Real PyTorch: its float16 rounding of float32 values, and its reading of our F16/I8/I16 file.
const hasTorch = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
describe.skipIf(!hasTorch)('against PyTorch (/usr/bin/python3 with torch)', () => {
  test('roundHalf equals torch .half() on 20,000 float32 values over the whole range', () => {
    const values = Array.from({ length: 20000 }, (_, i) => Math.fround(Math.sin(i * 12.9898) * 10 ** ((i % 14) - 9) * 7));
    const script = join(dir, 'half.py');
    writeFileSync(
      script,
      // JSON has no infinities: they travel as the strings 'inf' and '-inf'.
      'import json, math, sys, torch\nv = json.load(open(sys.argv[1]))\nr = torch.tensor(v, dtype=torch.float32).half().float().tolist()\nprint(json.dumps([x if math.isfinite(x) else str(x) for x in r]))\n',
    );
    const input = join(dir, 'half.json');
    writeFileSync(input, JSON.stringify(values));
    const r = spawnSync('/usr/bin/python3', [script, input], { encoding: 'utf8', maxBuffer: 1 << 26 });
    expect(r.status, r.stderr).toBe(0);
    const want = (JSON.parse(r.stdout) as (number | string)[]).map((x) =>
      typeof x === 'string' ? Number(x.replace('inf', 'Infinity')) : x,
    );
    expect(want.filter((x) => !Number.isFinite(x)).length).toBeGreaterThan(0);
    const mismatches = values.filter((v, i) => !Object.is(roundHalf(v), want[i]) && !(roundHalf(v) === 0 && want[i] === 0));
    expect(mismatches).toEqual([]);
  });

  test('torch reads our F16, I8 and I16 tensors with their dtypes and values', () => {
    const path = join(dir, 'for-torch.safetensors');
    save(
      {
        h: tensor([0.1, -65504, 1e-7, 2049], { dtype: 'float16' }),
        c: tensor([-128, 127, 5], { dtype: 'int8' }),
        s: tensor([-32768, 32767], { dtype: 'int16' }),
      },
      path,
    );
    const script = join(dir, 'read.py');
    writeFileSync(
      script,
      `import json, struct, sys, torch
DT = {'F16': torch.float16, 'I8': torch.int8, 'I16': torch.int16}
b = open(sys.argv[1], 'rb').read()
n = struct.unpack('<Q', b[:8])[0]
h = json.loads(b[8:8 + n]); h.pop('__metadata__', None)
out = {}
for k, v in h.items():
    s, e = v['data_offsets']
    t = torch.frombuffer(bytearray(b[8 + n + s:8 + n + e]), dtype=DT[v['dtype']]).reshape(v['shape'])
    out[k] = [str(t.dtype), t.double().tolist()]
print(json.dumps(out))
`,
    );
    const r = spawnSync('/usr/bin/python3', [script, path], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      h: ['torch.float16', [0.0999755859375, -65504, 1.1920928955078125e-7, 2048]],
      c: ['torch.int8', [-128, 127, 5]],
      s: ['torch.int16', [-32768, 32767]],
    });
  });
});

test('PyTorch cross-checks availability is reported', () => {
  if (!hasTorch) console.log('small-dtype PyTorch cross-checks skipped: /usr/bin/python3 with torch is not available here');
  expect(typeof hasTorch).toBe('boolean');
});
