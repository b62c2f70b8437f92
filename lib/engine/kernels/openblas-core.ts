// OpenBLAS picks its kernels at load time from the CPU's family and model. Debian's OpenBLAS 0.3.21 does not know
// every model: on CPUs it does not recognise (virtual machines that report a generic "Intel Xeon Processor" are the
// common case) it falls back to its Prescott kernels, SSE3 only, and a 512³ sgemm runs at ~33 GFLOP/s where the
// AVX-512 kernels reach ~150 on the same core (bench/RESULTS.md, "Native backend"). Newer OpenBLAS releases fall back
// on the CPU's feature flags instead; this does the same before the addon loads the library, by filling in
// OPENBLAS_CORETYPE (read by OpenBLAS when it is loaded) when, and only when, the user has not set it.
// On Intel CPUs the rule picks what OpenBLAS itself picks for the models it knows (SkylakeX for AVX-512 with BW/DQ/VL,
// whose float32 kernels Cooper Lake and later share; Haswell for AVX2 + FMA); other vendors are left to OpenBLAS.

/** The OpenBLAS core type to use for a CPU described by /proc/cpuinfo's text, or null to leave the choice to OpenBLAS. */
export function openblasCoreFor(cpuinfo: string): string | null {
  const vendor = /^vendor_id\s*:\s*(\S+)/m.exec(cpuinfo)?.[1];
  const flagsLine = /^flags\s*:(.*)$/m.exec(cpuinfo)?.[1];
  if (vendor !== 'GenuineIntel' || flagsLine === undefined) return null;
  const flags = new Set(flagsLine.trim().split(/\s+/));
  if (['avx512f', 'avx512cd', 'avx512bw', 'avx512dq', 'avx512vl'].every((f) => flags.has(f))) return 'SkylakeX';
  if (flags.has('avx2') && flags.has('fma')) return 'Haswell';
  return null;
}

/**
 * Sets env.OPENBLAS_CORETYPE from the CPU's flags when it is unset (see above); returns the core it set, or null when
 * it left the environment alone. `readCpuinfo` returns /proc/cpuinfo's text, or null where there is none.
 */
export function defaultOpenblasCore(env: Record<string, string | undefined>, readCpuinfo: () => string | null): string | null {
  if (env.OPENBLAS_CORETYPE !== undefined && env.OPENBLAS_CORETYPE !== '') return null;
  const info = readCpuinfo();
  const core = info === null ? null : openblasCoreFor(info);
  if (core !== null) env.OPENBLAS_CORETYPE = core;
  return core;
}
