// Minimal reader for (gzipped) ustar archives: enough to unpack dataset archives such as
// cifar-10-binary.tar.gz. Refuses entries that would escape the destination directory.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize, sep } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { isGzip } from './idx.ts';

export interface TarEntry {
  name: string;
  type: 'file' | 'dir' | 'other';
  data: Uint8Array;
}

function readString(b: Uint8Array, off: number, len: number): string {
  let end = off;
  while (end < off + len && b[end] !== 0) end++;
  return Buffer.from(b.subarray(off, end)).toString('utf8');
}

function readOctal(b: Uint8Array, off: number, len: number): number {
  const s = readString(b, off, len).trim();
  return s ? parseInt(s, 8) : 0;
}

export function readTar(archive: Uint8Array, what = 'archive'): TarEntry[] {
  const bytes = isGzip(archive) ? gunzipSync(archive) : archive;
  const entries: TarEntry[] = [];
  let off = 0;
  let longName: string | null = null;
  while (off + 512 <= bytes.length) {
    const header = bytes.subarray(off, off + 512);
    if (header.every((v) => v === 0)) break;
    const size = readOctal(header, 124, 12);
    const typeflag = String.fromCharCode(header[156] || 48);
    const prefix = readString(header, 345, 155);
    let name = readString(header, 0, 100);
    if (prefix) name = `${prefix}/${name}`;
    if (longName !== null) {
      name = longName;
      longName = null;
    }
    const dataStart = off + 512;
    if (dataStart + size > bytes.length) throw new Error(`${what}: truncated tar entry ${name} at offset ${off}`);
    const data = bytes.subarray(dataStart, dataStart + size);
    if (typeflag === 'L') longName = readString(data, 0, size);
    else entries.push({ name, type: typeflag === '0' || typeflag === '\0' ? 'file' : typeflag === '5' ? 'dir' : 'other', data });
    off = dataStart + Math.ceil(size / 512) * 512;
  }
  return entries;
}

/** Writes the archive's regular files under `dest`. */
export function extractTar(archive: Uint8Array, dest: string, what = 'archive'): string[] {
  const written: string[] = [];
  for (const e of readTar(archive, what)) {
    if (e.type !== 'file') continue;
    const rel = normalize(e.name);
    if (rel.startsWith('..') || rel.startsWith(sep)) throw new Error(`${what}: entry ${e.name} would be written outside ${dest}`);
    const path = join(dest, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, e.data);
    written.push(path);
  }
  return written;
}

/** Builds an uncompressed ustar archive (for tests and fixtures). */
export function createTar(files: Array<{ name: string; data: Uint8Array }>): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const f of files) {
    const h = new Uint8Array(512);
    Buffer.from(f.name).copy(h, 0);
    Buffer.from('0000644\0').copy(h, 100);
    Buffer.from('0000000\0').copy(h, 108);
    Buffer.from('0000000\0').copy(h, 116);
    Buffer.from(f.data.length.toString(8).padStart(11, '0') + '\0').copy(h, 124);
    Buffer.from('00000000000\0').copy(h, 136);
    h[156] = 48;
    Buffer.from('ustar\0' + '00').copy(h, 257);
    for (let i = 148; i < 156; i++) h[i] = 32;
    let sum = 0;
    for (const v of h) sum += v;
    Buffer.from(sum.toString(8).padStart(6, '0') + '\0 ').copy(h, 148);
    parts.push(h, f.data, new Uint8Array((512 - (f.data.length % 512)) % 512));
  }
  parts.push(new Uint8Array(1024));
  return Buffer.concat(parts);
}
