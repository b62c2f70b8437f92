import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { nn, optim, save, load, tensor, Tensor } from 'board';

const dir = mkdtempSync(join(tmpdir(), 'board-save-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function bytesOf(t: Tensor): number[] {
  const d = t.contiguous().dataSync();
  return Array.from(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
}

function model(): nn.Module {
  return new nn.Sequential(new nn.Conv2d(1, 2, 3), new nn.BatchNorm2d(2), new nn.Flatten(), new nn.Linear(8, 3));
}

describe('save / load', () => {
  test('a model state dict round trips bit for bit, with PyTorch key names and dtypes', () => {
    const m = model();
    m.call(
      tensor(
        [
          [
            [
              [0.1, 0.2, 0.3, 0.4],
              [0.5, 0.6, 0.7, 0.8],
              [0.9, 1.0, 1.1, 1.2],
              [1.3, 1.4, 1.5, 1.6],
            ],
          ],
        ],
        { dtype: 'float32' },
      ).expand([2, 1, 4, 4]),
    );
    const sd = m.stateDict();
    const path = join(dir, 'model.safetensors');
    save(sd, path);
    const back = load(path) as Record<string, Tensor>;
    expect(Object.keys(back)).toEqual(Object.keys(sd));
    for (const [k, t] of Object.entries(sd)) {
      expect(back[k]!.dtype).toBe(t.dtype);
      expect(back[k]!.shape).toEqual(t.shape);
      expect(bytesOf(back[k]!)).toEqual(bytesOf(t));
    }
    expect(back['1.num_batches_tracked']!.dtype).toBe('int64');
    const m2 = model();
    m2.loadStateDict(back);
    expect(bytesOf(m2.stateDict()['3.weight']!)).toEqual(bytesOf(sd['3.weight']!));
  });

  test('an optimizer state dict (tensors + hyperparameters + step counts) round trips and resumes identically', () => {
    const train = (opt: optim.Optimizer, p: Tensor, steps: number) => {
      for (let i = 0; i < steps; i++) {
        opt.zeroGrad();
        p.mul(p).sum().backward();
        opt.step();
      }
    };
    const p = tensor([1.5, -2, 0.25], { dtype: 'float32' }).requiresGrad_();
    const opt = new optim.Adam([p], { lr: 0.05, betas: [0.8, 0.9] });
    train(opt, p, 3);
    const path = join(dir, 'optim.safetensors');
    save({ epoch: 3, best: Infinity, model: { p: p.detach() }, optimizer: opt.stateDict() }, path);
    const ck = load(path);
    expect(ck.epoch).toBe(3);
    expect(ck.best).toBe(Infinity);
    expect(ck.optimizer.param_groups[0].betas).toEqual([0.8, 0.9]);
    expect(ck.optimizer.state['0'].step.shape).toEqual([]);
    const p2 = (ck.model.p as Tensor).clone().requiresGrad_();
    const opt2 = new optim.Adam([p2], { lr: 1 });
    opt2.loadStateDict(ck.optimizer);
    train(opt, p, 2);
    train(opt2, p2, 2);
    expect(bytesOf(p2)).toEqual(bytesOf(p));
  });

  test('a corrupt file fails with a message naming it; a failed save keeps the old file', () => {
    const path = join(dir, 'bad.safetensors');
    writeFileSync(path, Uint8Array.from([255, 255, 255, 255, 0, 0, 0, 0]));
    expect(() => load(path)).toThrow(/bad\.safetensors/);
    const good = join(dir, 'keep.safetensors');
    save({ w: tensor([1.5]) }, good);
    const before = readFileSync(good);
    expect(() => save({ f: () => 1 } as unknown as Record<string, Tensor>, good)).toThrow(/cannot be saved/);
    expect(readFileSync(good)).toEqual(before);
  });
});

// Interoperability with Python: an independent reader/writer following the safetensors format description, run with
// /usr/bin/python3 + torch when available (CI has it). Without it, these tests say so and pass vacuously.
const py = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' });
const hasTorch = py.status === 0;

const PY_IO = `
import json, struct, sys, torch
DT = {'F32': torch.float32, 'F64': torch.float64, 'I64': torch.int64, 'I32': torch.int32, 'U8': torch.uint8, 'BOOL': torch.bool}
def read(path):
    b = open(path, 'rb').read()
    n = struct.unpack('<Q', b[:8])[0]
    h = json.loads(b[8:8 + n])
    meta = h.pop('__metadata__', {})
    data = b[8 + n:]
    out = {}
    for k, v in h.items():
        s, e = v['data_offsets']
        t = torch.frombuffer(bytearray(data[s:e]), dtype=DT[v['dtype']]) if e > s else torch.empty(0, dtype=DT[v['dtype']])
        out[k] = t.reshape(v['shape'])
    return out, meta
def write(path, tensors):
    header, blobs, off = {}, [], 0
    for k, t in tensors.items():
        raw = t.contiguous().numpy().tobytes()
        header[k] = {'dtype': {torch.float32: 'F32', torch.int64: 'I64'}[t.dtype], 'shape': list(t.shape), 'data_offsets': [off, off + len(raw)]}
        blobs.append(raw); off += len(raw)
    hb = json.dumps(header).encode()
    open(path, 'wb').write(struct.pack('<Q', len(hb)) + hb + b''.join(blobs))
if sys.argv[1] == 'read':
    t, meta = read(sys.argv[2])
    print(json.dumps({'meta': meta, 'tensors': {k: {'dtype': str(v.dtype), 'shape': list(v.shape), 'values': v.double().flatten().tolist()} for k, v in t.items()}}))
else:
    lin = torch.nn.Linear(3, 2)
    with torch.no_grad():
        lin.weight.copy_(torch.tensor([[0.1, 0.2, 0.3], [-0.4, 0.5, -0.6]])); lin.bias.copy_(torch.tensor([0.7, -0.8]))
    sd = dict(lin.state_dict()); sd['steps'] = torch.tensor(7)
    write(sys.argv[2], sd)
`;

describe.skipIf(!hasTorch)('Python interoperability (torch)', () => {
  const script = join(dir, 'st_io.py');
  writeFileSync(script, PY_IO);

  test('Python reads the weights we save', () => {
    const lin = new nn.Linear(3, 2);
    const path = join(dir, 'ours.safetensors');
    save(lin.stateDict(), path);
    const r = spawnSync('/usr/bin/python3', [script, 'read', path], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const got = JSON.parse(r.stdout);
    expect(got.meta).toEqual({ format: 'pt' });
    expect(got.tensors.weight.dtype).toBe('torch.float32');
    expect(got.tensors.weight.shape).toEqual([2, 3]);
    expect(got.tensors.weight.values).toEqual(Array.from(lin.weight.dataSync()));
    expect(got.tensors.bias.values).toEqual(Array.from(lin.bias!.dataSync()));
  });

  test('we read a file Python wrote and load it into nn.Linear', () => {
    const path = join(dir, 'theirs.safetensors');
    const r = spawnSync('/usr/bin/python3', [script, 'write', path], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(path)).toBe(true);
    const sd = load(path) as Record<string, Tensor>;
    expect(sd.steps!.dtype).toBe('int64');
    expect(sd.steps!.item()).toBe(7);
    const lin = new nn.Linear(3, 2);
    const { steps: _s, ...weights } = sd;
    lin.loadStateDict(weights);
    expect(
      lin
        .call(tensor([[1, 1, 1]], { dtype: 'float32' }))
        .tolist()[0]
        .map((v: number) => Number(v.toFixed(5))),
    ).toEqual([1.3, -1.3]);
  });
});

test('Python interoperability availability is reported', () => {
  if (!hasTorch) console.log('safetensors interop tests skipped: /usr/bin/python3 with torch is not available here');
  expect(typeof hasTorch).toBe('boolean');
});
