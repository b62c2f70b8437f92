// Width, height and channel count of encoded PNG / JPEG / GIF bytes, read from their headers
// (the fields an image summary carries next to the encoded bytes).

export interface ImageSize {
  format: 'png' | 'jpeg' | 'gif';
  width: number;
  height: number;
  channels: number;
}

export function imageSize(b: Uint8Array, what = 'image'): ImageSize {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (b.length >= 26 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) {
    const colorType = b[25]!;
    const channels = ({ 0: 1, 2: 3, 3: 3, 4: 2, 6: 4 } as Record<number, number>)[colorType];
    if (channels === undefined) throw new Error(`${what}: PNG colour type ${colorType} is not valid`);
    return { format: 'png', width: v.getUint32(16), height: v.getUint32(20), channels };
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    let i = 2;
    while (i + 9 < b.length) {
      if (b[i] !== 0xff) {
        i++;
        continue;
      }
      const marker = b[i + 1]!;
      // Start-of-frame markers (baseline, progressive, ...), not DHT (C4), JPG (C8) or DAC (CC).
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { format: 'jpeg', height: v.getUint16(i + 5), width: v.getUint16(i + 7), channels: b[i + 9]! };
      }
      if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
        i += 2;
        continue;
      }
      i += 2 + v.getUint16(i + 2);
    }
    throw new Error(`${what}: JPEG without a start-of-frame segment (truncated?)`);
  }
  if (b.length >= 10 && b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46) {
    return { format: 'gif', width: v.getUint16(6, true), height: v.getUint16(8, true), channels: 3 };
  }
  throw new Error(
    `${what}: expected encoded PNG or JPEG bytes (first bytes ${[...b.subarray(0, 4)].map((x) => x.toString(16).padStart(2, '0')).join(' ')})`,
  );
}
