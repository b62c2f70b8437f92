// Downloads dataset files from their canonical URLs with a terminal progress bar and MD5
// verification (torchvision's download_url / check_integrity). Files are written to a temporary
// name and renamed only after the checksum matches, so a failed download never leaves a
// half-written file that later looks valid.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export function md5Hex(bytes: Uint8Array): string {
  return createHash('md5').update(bytes).digest('hex');
}

/** torchvision's check_integrity: the file exists and (when given) its MD5 matches. */
export function checkIntegrity(path: string, md5?: string): boolean {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    return false;
  }
  return md5 === undefined || md5Hex(bytes) === md5.toLowerCase();
}

export interface DownloadOptions {
  /** Where progress goes (default process.stderr); null = silent. */
  progress?: NodeJS.WritableStream | null;
  /** Abort when no data arrived for this many ms (default 60 s). */
  timeoutMs?: number;
}

function formatBytes(n: number): string {
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)} KiB`;
  return `${n} B`;
}

/** One line redrawn in place: `name [#####.....] 45% 1.2 MiB/2.6 MiB`. */
export function progressLine(name: string, done: number, total: number | null, width = 30): string {
  if (!total) return `${name} ${formatBytes(done)}`;
  const frac = Math.min(1, done / total);
  const fill = Math.round(frac * width);
  return `${name} [${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${(frac * 100).toFixed(0).padStart(3)}% ${formatBytes(done)}/${formatBytes(total)}`;
}

/**
 * Fetches `url` into `dest`, verifying `md5` when given. Throws with the URL and the reason
 * (HTTP status, network error, checksum mismatch with both digests).
 */
export async function downloadUrl(url: string, dest: string, md5?: string, opts: DownloadOptions = {}): Promise<void> {
  const out = opts.progress === undefined ? process.stderr : opts.progress;
  const name = dest.split('/').pop() ?? dest;
  const controller = new AbortController();
  const idleMs = opts.timeoutMs ?? 60_000;
  let timer = setTimeout(() => controller.abort(), idleMs);
  const touch = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(), idleMs);
  };
  let bytes: Uint8Array;
  try {
    const res = await fetch(url, { signal: controller.signal, redirect: 'follow' });
    if (!res.ok || !res.body) throw new Error(`HTTP ${res.status} ${res.statusText}`);
    const total = Number(res.headers.get('content-length')) || null;
    const chunks: Uint8Array[] = [];
    let done = 0;
    let lastDraw = 0;
    const reader = res.body.getReader();
    for (;;) {
      const { value, done: end } = await reader.read();
      if (end) break;
      touch();
      chunks.push(value);
      done += value.length;
      const now = Date.now();
      if (out && now - lastDraw > 100) {
        out.write(`\r${progressLine(name, done, total)}`);
        lastDraw = now;
      }
    }
    if (out) out.write(`\r${progressLine(name, done, total ?? done)}\n`);
    bytes = Buffer.concat(chunks);
  } catch (e) {
    const err = e as Error & { cause?: Error };
    const reason =
      err.name === 'AbortError' ? `no data for ${idleMs / 1000} s` : err.cause ? `${err.message}: ${err.cause.message}` : err.message;
    throw new Error(`download of ${url} failed: ${reason}`, { cause: e });
  } finally {
    clearTimeout(timer);
  }
  if (md5 !== undefined) {
    const got = md5Hex(bytes);
    if (got !== md5.toLowerCase())
      throw new Error(`download of ${url}: checksum mismatch (expected MD5 ${md5}, got ${got}); the file was not saved`);
  }
  mkdirSync(dirname(dest), { recursive: true });
  const tmp = `${dest}.part-${process.pid}`;
  try {
    writeFileSync(tmp, bytes);
    renameSync(tmp, dest);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Tries each mirror in turn; the error lists every attempt. */
export async function downloadFromMirrors(
  mirrors: readonly string[],
  file: string,
  dest: string,
  md5?: string,
  opts: DownloadOptions = {},
): Promise<void> {
  const errors: string[] = [];
  for (const mirror of mirrors) {
    const url = mirror.endsWith('/') ? mirror + file : `${mirror}/${file}`;
    try {
      await downloadUrl(url, dest, md5, opts);
      return;
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  throw new Error(`could not download ${file}:\n  ${errors.join('\n  ')}`);
}
