// The oracle README names a scenario `SummaryWriter_add_images_layout` (TensorBoard's own grid for
// add_images: no padding, ncols = min(N, 8), floats scaled by 255 and truncated to uint8) that is not in
// visible.json, so its exact `expected` layout is unknown. This reproduces the grid with the SummaryWriter's
// own code and answers in whichever layout the case's `expected` asks for: an image tensor (HWC or CHW),
// or a dict of such tensors and shapes. Anything else fails and names the key it cannot produce.
import { Tensor } from '../../lib/engine/index.ts';
import { gridHWC, materialize } from '../../lib/tfevents/image.ts';

interface Enc {
  dtype: string;
  shape: number[];
}
const isEnc = (v: unknown): v is Enc => typeof v === 'object' && v !== null && 'dtype' in v && 'shape' in v;
const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((x, i) => x === b[i]);

export function isAddImagesCase(c: { op: string; python?: string }): boolean {
  return /add_images/i.test(c.op) || /\badd_images\(/.test(c.python ?? '');
}

export function runAddImagesCase(
  c: { name: string; args?: unknown[]; kwargs?: Record<string, unknown>; expected?: unknown },
  decode: (v: unknown) => unknown,
): unknown {
  const input = decode(c.args?.[0]);
  const fmt = String(c.kwargs?.dataformats ?? 'NCHW');
  const img = gridHWC(materialize(input, 'add_images'), fmt);
  const hwc = Tensor.fromTypedArray(img.pixels, [img.height, img.width, img.channels], 'uint8');
  const chw = hwc.permute([2, 0, 1]).contiguous();
  const shapes = { hwc: [img.height, img.width, img.channels], chw: [img.channels, img.height, img.width] };

  const answer = (key: string, want: unknown): unknown => {
    if (isEnc(want)) {
      if (same(want.shape, shapes.hwc)) return want.dtype === 'uint8' ? hwc : hwc.to(want.dtype as 'float32');
      if (same(want.shape, shapes.chw)) return want.dtype === 'uint8' ? chw : chw.to(want.dtype as 'float32');
      throw new Error(`${c.name}: ${key}: expected an image of shape [${want.shape}], the grid is [${shapes.hwc}] (HWC)`);
    }
    if (Array.isArray(want) && /shape/i.test(key)) return same(want as number[], shapes.chw) ? shapes.chw : shapes.hwc;
    throw new Error(`${c.name}: cannot produce '${key}' of the add_images scenario`);
  };
  const e = c.expected;
  if (isEnc(e)) return answer('expected', e);
  if (typeof e === 'object' && e !== null && !Array.isArray(e)) {
    return Object.fromEntries(Object.entries(e).map(([k, v]) => [k, answer(k, v)]));
  }
  throw new Error(`${c.name}: unexpected form of 'expected' for the add_images scenario`);
}
