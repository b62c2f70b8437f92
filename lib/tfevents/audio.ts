// add_audio as PyTorch writes it: a mono 16-bit PCM WAV (samples in [-1, 1], clipped, scaled by
// 32767 and truncated toward zero) in a Summary.Audio with content type audio/wav.

/**
 * WAV bytes of mono int16 samples. float32: the samples are float32, so the scaling happens in
 * float32 as numpy does for a float32 array.
 */
export function encodeWav(samples: ArrayLike<number>, sampleRate: number, float32 = samples instanceof Float32Array): Uint8Array {
  const n = samples.length;
  const out = new Uint8Array(44 + 2 * n);
  const v = new DataView(out.buffer);
  const ascii = (pos: number, s: string) => {
    for (let i = 0; i < s.length; i++) out[pos + i] = s.charCodeAt(i);
  };
  ascii(0, 'RIFF');
  v.setUint32(4, 36 + 2 * n, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  v.setUint32(16, 16, true); // PCM chunk size
  v.setUint16(20, 1, true); // PCM
  v.setUint16(22, 1, true); // mono
  v.setUint32(24, sampleRate, true);
  v.setUint32(28, sampleRate * 2, true); // byte rate
  v.setUint16(32, 2, true); // block align
  v.setUint16(34, 16, true); // bits per sample
  ascii(36, 'data');
  v.setUint32(40, 2 * n, true);
  for (let i = 0; i < n; i++) {
    const x = Math.max(-1, Math.min(1, samples[i]!));
    const scaled = float32 ? Math.fround(x * 32767) : x * 32767;
    v.setInt16(44 + 2 * i, Math.trunc(scaled) || 0, true);
  }
  return out;
}

/** Mono int16 samples of a WAV written by encodeWav, as floats (samples / 32767). */
export function decodeWav(bytes: Uint8Array): { sampleRate: number; samples: Float64Array } {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = v.getUint32(40, true) / 2;
  const samples = new Float64Array(n);
  for (let i = 0; i < n; i++) samples[i] = v.getInt16(44 + 2 * i, true) / 32767;
  return { sampleRate: v.getUint32(24, true), samples };
}
