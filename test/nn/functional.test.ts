// Gradients of the fused nn kernels checked against finite differences (float64), over configurations beyond the
// oracle's: 3-D conv, transposed conv with groups, padding modes, pooling with padding/ceil, norms, losses.
import { describe, expect, test } from 'vitest';
import { nn, tensor, Tensor } from 'board';
import { grad } from '../../lib/engine/index.ts';
import { gradcheck, leaf } from '../helpers/nn-gradcheck.ts';

const F = nn.functional;

describe('convolution gradients', () => {
  test('conv2d: stride, asymmetric same padding, dilation, groups', () => {
    gradcheck(
      (x, w, b) => F.conv2d(x, w, b, { stride: [2, 1], padding: 1, groups: 2 }),
      [leaf([2, 4, 5, 6]), leaf([6, 2, 3, 2], 1), leaf([6], 2)],
    );
    gradcheck((x, w) => F.conv2d(x, w, null, { padding: 'same', dilation: 2 }), [leaf([1, 2, 6, 5]), leaf([3, 2, 2, 3], 1)]);
  });
  test('conv1d and conv3d', () => {
    gradcheck((x, w, b) => F.conv1d(x, w, b, { stride: 2, padding: 2, dilation: 2 }), [leaf([2, 3, 9]), leaf([4, 3, 3], 1), leaf([4], 2)]);
    gradcheck(
      (x, w, b) => F.conv3d(x, w, b, { padding: [1, 0, 1], stride: [1, 2, 1] }),
      [leaf([1, 2, 3, 4, 3]), leaf([2, 2, 2, 2, 2], 1), leaf([2], 2)],
    );
  });
  test('transposed conv with groups, dilation and output padding', () => {
    gradcheck(
      (x, w, b) => F.convTranspose2d(x, w, b, { stride: 2, padding: 1, outputPadding: 1, groups: 2, dilation: [1, 2] }),
      [leaf([2, 4, 3, 3]), leaf([4, 3, 3, 2], 1), leaf([6], 2)],
    );
    gradcheck((x, w) => F.convTranspose1d(x, w, null, { stride: 3 }), [leaf([1, 2, 4]), leaf([2, 3, 2], 1)]);
  });
  test('padding modes: reflect, replicate, circular through the Conv module', () => {
    for (const mode of ['reflect', 'replicate', 'circular'] as const) {
      const conv = new nn.Conv2d(2, 2, 3, { padding: [1, 2], paddingMode: mode, dtype: 'float64' });
      gradcheck((x) => conv.call(x), [leaf([1, 2, 4, 5])]);
    }
  });
  test('padding modules', () => {
    const x = tensor([[[1, 2, 3]]], { dtype: 'float32' });
    expect(new nn.ReflectionPad1d(2).call(x).tolist()).toEqual([[[3, 2, 1, 2, 3, 2, 1]]]);
    expect(new nn.ReplicationPad1d([1, 2]).call(x).tolist()).toEqual([[[1, 1, 2, 3, 3, 3]]]);
    expect(new nn.ConstantPad1d([0, 1], 9).call(x).tolist()).toEqual([[[1, 2, 3, 9]]]);
    expect(String(new nn.ZeroPad2d(1))).toBe('ZeroPad2d((1, 1, 1, 1))');
    expect(String(new nn.ConstantPad1d(2, 3.5))).toBe('ConstantPad1d(padding=(2, 2), value=3.5)');
    gradcheck((t) => new nn.ReflectionPad2d([1, 2, 0, 1]).call(t), [leaf([1, 2, 3, 4])]);
    gradcheck((t) => new nn.ConstantPad3d(1, 0.5).call(t), [leaf([1, 1, 2, 2, 2])]);
  });
  test('conv matches a direct sum on a hand example', () => {
    const x = tensor(
      [
        [
          [
            [1, 2, 3],
            [4, 5, 6],
            [7, 8, 9],
          ],
        ],
      ],
      { dtype: 'float32' },
    );
    const w = tensor(
      [
        [
          [
            [1, 0],
            [0, -1],
          ],
        ],
      ],
      { dtype: 'float32' },
    );
    expect(F.conv2d(x, w).tolist()).toEqual([
      [
        [
          [-4, -4],
          [-4, -4],
        ],
      ],
    ]);
    expect(() => F.conv2d(x, tensor([[[[1]]], [[[1]]]], { dtype: 'float32' }), null, { groups: 2 })).toThrow(/channels/);
  });
});

describe('linear', () => {
  test('fused 2-D linear matches engine ops, including second-order gradients', () => {
    const run = (fused: boolean) => {
      const x = leaf([3, 4]);
      const w = leaf([2, 4], 1);
      const b = leaf([2], 2);
      const y = fused ? F.linear(x, w, b) : x.matmul(w.t()).add(b);
      const [gx] = grad(y.pow(3).sum(), [x], { createGraph: true });
      const [gw2] = grad(gx!.pow(2).sum(), [w]);
      return [y.tolist(), gx!.tolist(), gw2!.tolist()].flat(3).map((v: number) => Number(v.toFixed(10)));
    };
    expect(run(true)).toEqual(run(false));
    gradcheck((x, w, b) => F.linear(x, w, b), [leaf([3, 4]), leaf([2, 4], 1), leaf([2], 2)]);
    gradcheck((x, w) => F.linear(x, w), [leaf([3, 4]), leaf([2, 4], 1)]);
  });
});

describe('grad_fn graphs built as PyTorch 1.13 builds them', () => {
  const names = (t: Tensor) => t.gradFn!.nextFunctions.map(([n]) => (n ? n.name : null));

  test('F.linear without bias on a 2-D input is x.mm(w.t()): MmBackward0 with edges [x, TBackward0]', () => {
    const x = leaf([3, 4]),
      w = leaf([2, 4], 1);
    const y = F.linear(x, w);
    expect(y.gradFn!.name).toBe('MmBackward0');
    expect(names(y)).toEqual(['AccumulateGrad', 'TBackward0']);
    const t = y.gradFn!.nextFunctions[1]![0]!;
    expect(t.nextFunctions.map(([n]) => n?.name)).toEqual(['AccumulateGrad']);
    expect(t.nextFunctions[0]![0]!.variable).toBe(w);
    expect(names(F.linear(x.detach(), w))).toEqual([null, 'TBackward0']);
    expect(names(new nn.Linear(4, 2, { bias: false, dtype: 'float64' }).call(x))).toEqual(['AccumulateGrad', 'TBackward0']);
    // values and gradients: against the explicit matmul
    y.sum().backward();
    const x2 = x.detach().requiresGrad_(),
      w2 = w.detach().requiresGrad_();
    const ref = x2.matmul(w2.t());
    ref.sum().backward();
    expect(y.tolist()).toEqual(ref.tolist());
    expect(x.grad!.tolist()).toEqual(x2.grad!.tolist());
    expect(w.grad!.tolist()).toEqual(w2.grad!.tolist());
    // with bias the fused AddmmBackward0 node stays
    expect(F.linear(x, w, leaf([2], 2)).gradFn!.name).toBe('AddmmBackward0');
  });

  test('adaptive_avg_pool2d to 1x1 is a mean over the last two dims (MeanBackward1); other sizes keep the kernel', () => {
    const x = leaf([2, 3, 4, 5]);
    for (const size of [1, [1, 1]] as const) {
      const y = F.adaptiveAvgPool2d(x, size as number | number[]);
      expect(y.gradFn!.name).toBe('MeanBackward1');
      expect(y.shape).toEqual([2, 3, 1, 1]);
      expect(names(y)).toEqual(['AccumulateGrad']);
      const ref = x.mean([-2, -1], true);
      expect(y.tolist()).toEqual(ref.tolist());
    }
    const unbatched = F.adaptiveAvgPool2d(leaf([3, 1, 6]), [null, 1]);
    expect([unbatched.gradFn!.name, unbatched.shape]).toEqual(['MeanBackward1', [3, 1, 1]]);
    expect(new nn.AdaptiveAvgPool2d(1).call(x).gradFn!.name).toBe('MeanBackward1');
    expect(F.adaptiveAvgPool2d(x, [2, 1]).gradFn!.name).toBe('AdaptiveAvgPool2DBackward0');
    // adaptive_avg_pool1d(x, 1) goes through the same path: squeeze of a mean, as in PyTorch
    const p1 = F.adaptiveAvgPool1d(leaf([2, 3, 7]), 1);
    expect([p1.gradFn!.name, names(p1)]).toEqual(['SqueezeBackward1', ['MeanBackward1']]);
    gradcheck((t) => F.adaptiveAvgPool2d(t, 1), [leaf([2, 2, 3, 4])]);
    expect(() =>
      F.adaptiveAvgPool2d(
        tensor([
          [
            [1, 2],
            [3, 4],
          ],
        ]),
        1,
      ),
    ).toThrow(/adaptive_avg_pool2d: expected a floating point tensor, got int64/);
  });
});

describe('pooling and normalization gradients', () => {
  test('max/avg pooling with padding, ceil mode and 3-D', () => {
    gradcheck((x) => F.maxPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true }), [leaf([1, 2, 5, 6])]);
    gradcheck((x) => F.avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: false, ceilMode: true }), [leaf([2, 1, 5, 4])]);
    gradcheck((x) => F.maxPool3d(x, 2), [leaf([1, 1, 4, 4, 4])]);
    gradcheck((x) => F.adaptiveMaxPool2d(x, [2, 3]), [leaf([1, 2, 5, 7])]);
    gradcheck((x) => F.adaptiveAvgPool1d(x, 3), [leaf([2, 2, 7])]);
  });
  test('batch/layer/group norm in training mode', () => {
    gradcheck((x, w, b) => F.batchNorm(x, { weight: w, bias: b, training: true }), [leaf([4, 3, 2]), leaf([3], 1), leaf([3], 2)]);
    gradcheck((x, w, b) => F.layerNorm(x, [2, 3], w, b), [leaf([3, 2, 3]), leaf([2, 3], 1), leaf([2, 3], 2)]);
    gradcheck((x, w, b) => F.groupNorm(x, 2, w, b), [leaf([2, 4, 3]), leaf([4], 1), leaf([4], 2)]);
  });
});

describe('loss gradients', () => {
  test('cross-entropy variants, NLL, BCE-with-logits, smooth L1, Huber', () => {
    const t = tensor([0, 2, 1, 2]);
    const w = tensor([0.3, 1.0, 2.0], { dtype: 'float64' });
    gradcheck((x) => F.crossEntropy(x, t, { weight: w }), [leaf([4, 3])]);
    gradcheck((x) => F.crossEntropy(x, t, { labelSmoothing: 0.2, ignoreIndex: 1 }), [leaf([4, 3])]);
    gradcheck(
      (x) =>
        F.crossEntropy(
          x,
          tensor([
            [0, 1],
            [2, 1],
          ]),
          { reduction: 'sum' },
        ),
      [leaf([2, 3, 2])],
    );
    gradcheck(
      (x, y) => F.binaryCrossEntropyWithLogits(x, y, { posWeight: tensor([2.0, 0.5], { dtype: 'float64' }) }),
      [leaf([3, 2]), leaf([3, 2], 4)],
    );
    gradcheck((x, y) => F.smoothL1Loss(x, y, 'sum', 0.7), [leaf([5]), leaf([5], 3)]);
    gradcheck((x, y) => F.huberLoss(x, y, 'mean', 0.5), [leaf([5]), leaf([5], 3)]);
  });
  test('cross-entropy ignores ignore_index and gives NaN when all are ignored', () => {
    const x = tensor([
      [1.0, 2.0],
      [0.5, 0.1],
    ]);
    const loss = F.crossEntropy(x, tensor([1, 1]), { ignoreIndex: 1 });
    expect(Number.isNaN(Number(loss.item()))).toBe(true);
    expect(() => F.crossEntropy(x, tensor([0, 5]))).toThrow(/Target 5 is out of bounds/);
  });
});

describe('recurrent layers', () => {
  test('LSTM and GRU gradients w.r.t. input and h0 (float64)', () => {
    const lstm = new nn.LSTM(3, 2, { numLayers: 2, bidirectional: true, dtype: 'float64' });
    gradcheck(
      (x, h, c) => {
        const [out, [hn, cn]] = lstm.call(x, [h, c]);
        return out.sum().add(hn.sum()).add(cn.mul(2).sum()).reshape([1]);
      },
      [leaf([4, 2, 3]), leaf([4, 2, 2], 1), leaf([4, 2, 2], 2)],
    );
    const gru = new nn.GRU(3, 2, { batchFirst: true, dtype: 'float64' });
    gradcheck((x) => gru.call(x)[0], [leaf([2, 3, 3])]);
  });
  test('a bidirectional output is [forward | reverse] on the last dim', () => {
    const rnn = new nn.RNN(2, 3, { bidirectional: true });
    const x = tensor([[[0.1, 0.2]], [[0.3, -0.1]]], { dtype: 'float32' });
    const [out, hn] = rnn.call(x) as [Tensor, Tensor];
    expect(out.shape).toEqual([2, 1, 6]);
    // the reverse direction's final state is its output at t = 0
    expect(out.index(0, 0).narrow(0, 3, 3).tolist()).toEqual(hn.index(1, 0).tolist());
  });
});
