// The native loader fills in OPENBLAS_CORETYPE from the CPU's flags when it is unset, so OpenBLAS 0.3.21 does not fall
// back to its SSE3 kernels on Intel models it does not know (lib/engine/kernels/openblas-core.ts).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultOpenblasCore, openblasCoreFor } from '../../../lib/engine/kernels/openblas-core.ts';
import { nativeAddon } from '../../../lib/engine/kernels/native.ts';

const cpu = (vendor: string, flags: string) =>
  `processor\t: 0\nvendor_id\t: ${vendor}\nmodel name\t: Intel(R) Xeon(R) Processor\nflags\t\t: ${flags}\n\nprocessor\t: 1\nvendor_id\t: ${vendor}\nflags\t\t: ${flags}\n`;
const AVX512 = 'fpu sse sse2 ssse3 sse4_1 sse4_2 avx fma avx2 avx512f avx512dq avx512cd avx512bw avx512vl';

describe('openblasCoreFor', () => {
  it('Intel with AVX-512 F/CD/BW/DQ/VL: SkylakeX', () => {
    expect(openblasCoreFor(cpu('GenuineIntel', AVX512))).toBe('SkylakeX');
  });
  it('Intel with AVX-512 F only (Knights Landing) or AVX2 + FMA: Haswell', () => {
    expect(openblasCoreFor(cpu('GenuineIntel', 'sse4_2 avx fma avx2 avx512f avx512cd'))).toBe('Haswell');
    expect(openblasCoreFor(cpu('GenuineIntel', 'sse4_2 avx fma avx2'))).toBe('Haswell');
  });
  it('older Intel, other vendors, or no flags line: left to OpenBLAS', () => {
    expect(openblasCoreFor(cpu('GenuineIntel', 'sse4_2 avx'))).toBeNull();
    expect(openblasCoreFor(cpu('AuthenticAMD', AVX512))).toBeNull();
    expect(openblasCoreFor('processor\t: 0\nvendor_id\t: GenuineIntel\n')).toBeNull();
    expect(openblasCoreFor('')).toBeNull();
  });
});

describe('defaultOpenblasCore', () => {
  it('fills in an unset or empty OPENBLAS_CORETYPE', () => {
    const env: Record<string, string | undefined> = {};
    expect(defaultOpenblasCore(env, () => cpu('GenuineIntel', AVX512))).toBe('SkylakeX');
    expect(env.OPENBLAS_CORETYPE).toBe('SkylakeX');
    const empty: Record<string, string | undefined> = { OPENBLAS_CORETYPE: '' };
    expect(defaultOpenblasCore(empty, () => cpu('GenuineIntel', 'avx2 fma'))).toBe('Haswell');
  });
  it("never overrides the user's choice, and sets nothing without /proc/cpuinfo or a rule", () => {
    const env: Record<string, string | undefined> = { OPENBLAS_CORETYPE: 'Prescott' };
    let read = false;
    expect(
      defaultOpenblasCore(env, () => {
        read = true;
        return cpu('GenuineIntel', AVX512);
      }),
    ).toBeNull();
    expect(env.OPENBLAS_CORETYPE).toBe('Prescott');
    expect(read).toBe(false);
    const none: Record<string, string | undefined> = {};
    expect(defaultOpenblasCore(none, () => null)).toBeNull();
    expect(defaultOpenblasCore(none, () => cpu('AuthenticAMD', AVX512))).toBeNull();
    expect('OPENBLAS_CORETYPE' in none).toBe(false);
  });
});

// A child process, so OpenBLAS is loaded with the environment under test.
function coreInChild(env: NodeJS.ProcessEnv): { core: string; chosen: string | null } {
  const script =
    "const n = await import('./lib/engine/kernels/native.ts'); const a = n.nativeAddon();" +
    'console.log(JSON.stringify({ core: a.blasInfo().core, chosen: n.openblasCoreChosenByBoard() }));';
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=board-source', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 60_000,
    env,
  });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

describe.skipIf(!nativeAddon() || !existsSync('/proc/cpuinfo'))('the native loader', () => {
  it('loads OpenBLAS with the core the CPU flags call for when OPENBLAS_CORETYPE is unset', () => {
    const env = { ...process.env };
    delete env.OPENBLAS_CORETYPE;
    const want = openblasCoreFor(readFileSync('/proc/cpuinfo', 'utf8'));
    const r = coreInChild(env);
    expect(r.chosen).toBe(want);
    if (want !== null) expect(r.core.toLowerCase()).toBe(want.toLowerCase());
  });
  it('keeps an OPENBLAS_CORETYPE the user set', () => {
    const r = coreInChild({ ...process.env, OPENBLAS_CORETYPE: 'Prescott' });
    expect(r.chosen).toBeNull();
    expect(r.core.toLowerCase()).toBe('prescott');
  });
});
