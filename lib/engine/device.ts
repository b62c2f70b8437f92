// torch.device and torch.cuda as a CPU-only PyTorch build has them: 'cpu' is the one device that holds tensors;
// other device strings parse (torch.device('cuda:1')) but moving or creating a tensor there raises PyTorch's error.

/** Device types PyTorch 1.13 parses, in its error message's order. */
const DEVICE_TYPES = [
  'cpu',
  'cuda',
  'ipu',
  'xpu',
  'mkldnn',
  'opengl',
  'opencl',
  'ideep',
  'hip',
  've',
  'fpga',
  'ort',
  'xla',
  'lazy',
  'vulkan',
  'mps',
  'meta',
  'hpu',
  'privateuseone',
];

/** torch.device: a type and an optional index. */
export class Device {
  constructor(
    readonly type: string,
    readonly index: number | null = null,
  ) {}
  toString(): string {
    return this.index === null ? this.type : `${this.type}:${this.index}`;
  }
  /** repr, as PyTorch prints it: device(type='cpu') or device(type='cuda', index=0). */
  repr(): string {
    return this.index === null ? `device(type='${this.type}')` : `device(type='${this.type}', index=${this.index})`;
  }
  equals(other: DeviceLike): boolean {
    const o = device(other);
    return o.type === this.type && o.index === this.index;
  }
}

export type DeviceLike = string | Device;

/** torch.device('cpu'), torch.device('cuda:0'), torch.device('cuda', 1). */
export function device(spec: DeviceLike, index?: number): Device {
  if (spec instanceof Device) return spec;
  if (typeof spec !== 'string') throw new TypeError(`device(): expected a string or a Device, got ${typeof spec}`);
  const m = /^([a-z_]+)(?::(\d+))?$/.exec(spec);
  if (!m || !DEVICE_TYPES.includes(m[1]!)) {
    throw new Error(`Expected one of ${DEVICE_TYPES.join(', ')} device type at start of device string: ${spec}`);
  }
  if (m[2] !== undefined && index !== undefined)
    throw new Error(`type (string) must not include an index because index was passed explicitly: ${spec}`);
  const idx = m[2] !== undefined ? Number(m[2]) : (index ?? null);
  if (idx !== null && idx < 0) throw new Error(`Device index must not be negative: ${idx}`);
  return new Device(m[1]!, idx);
}

/** The one device of this build. */
export const CPU = new Device('cpu');

/**
 * Throws PyTorch's error unless `spec` names the CPU. A CPU-only PyTorch raises AssertionError('Torch not compiled
 * with CUDA enabled') for CUDA; other backends are equally absent.
 */
export function checkDevice(spec: DeviceLike | null | undefined): void {
  if (spec === undefined || spec === null) return;
  const d = device(spec);
  if (d.type === 'cpu') return;
  if (d.type === 'cuda') throw new CudaUnavailableError();
  throw new Error(`Could not run on device '${String(d)}': Board is a CPU-only build (only 'cpu' holds tensors)`);
}

/** What PyTorch raises when CUDA is asked of a build without it (an AssertionError in Python). */
export class CudaUnavailableError extends Error {
  constructor() {
    super('Torch not compiled with CUDA enabled');
    this.name = 'AssertionError';
  }
}

/** torch.cuda for a CPU-only build. */
export const cuda = {
  isAvailable: (): boolean => false,
  deviceCount: (): number => 0,
  /** torch.cuda.current_device() etc. raise as PyTorch's lazy CUDA init does. */
  currentDevice: (): never => {
    throw new CudaUnavailableError();
  },
  manualSeed: (_seed: number): void => {},
  manualSeedAll: (_seed: number): void => {},
};
