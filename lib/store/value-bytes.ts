// How non-scalar values are laid out in the store: content types of blobs, text tensors as
// markdown, float64 arrays as bytes, decoded protobuf payloads as JSON.

export function sniffContentType(b: Uint8Array): string {
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'image/png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length >= 6 && b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46) return 'image/gif';
  if (b.length >= 12 && b[0] === 0x52 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x46 && b[8] === 0x57 && b[9] === 0x41)
    return 'audio/wav';
  if (b.length >= 12 && b[0] === 0x52 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x46 && b[8] === 0x57 && b[9] === 0x45)
    return 'image/webp';
  return 'application/octet-stream';
}

/** A text tensor as one markdown string: a lone string as is, arrays as a table (as TensorBoard renders them). */
export function renderText(texts: string[], shape: number[]): string {
  if (texts.length === 1 && shape.length <= 1) return texts[0]!;
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  // A declared width beyond the strings present is clamped: the shape comes from the file.
  const cols = Math.min(shape.length >= 2 ? shape[shape.length - 1]! : 1, texts.length);
  if (!(cols >= 1) || texts.length === 0) return '';
  const rows: string[] = [];
  for (let i = 0; i < texts.length; i += cols)
    rows.push(
      `| ${texts
        .slice(i, i + cols)
        .map(cell)
        .join(' | ')} |`,
    );
  const sep = `|${' --- |'.repeat(cols)}`;
  return [`|${'  |'.repeat(cols)}`, sep, ...rows].join('\n');
}

export function f64Bytes(a: Float64Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

export function tensorBytes(values: Float64Array | string[]): Buffer {
  return Array.isArray(values) ? Buffer.from(JSON.stringify(values)) : f64Bytes(values);
}

/** JSON for decoded protobuf payloads: bigint as string, bytes as base64. */
export function toJson(x: unknown): string {
  return JSON.stringify(x, (_k, v) => {
    if (typeof v === 'bigint') return v.toString();
    if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
    if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
    return v;
  });
}
