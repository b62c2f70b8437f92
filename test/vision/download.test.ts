import { mkdtempSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkIntegrity, downloadFromMirrors, downloadUrl, md5Hex, progressLine } from '../../lib/vision/datasets/download.ts';

const payload = Buffer.from(Array.from({ length: 50_000 }, (_, i) => (i * 7) & 255));
let base = '';
const server = createServer((req, res) => {
  if (req.url === '/file.bin') {
    res.writeHead(200, { 'content-length': String(payload.length) });
    res.end(payload);
  } else {
    res.writeHead(404);
    res.end('no');
  }
});

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('download', () => {
  it('fetches a file, verifies its MD5 and writes it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'board-dl-'));
    const dest = join(dir, 'sub', 'file.bin');
    await downloadUrl(`${base}file.bin`, dest, md5Hex(payload), { progress: null });
    expect(readFileSync(dest).equals(payload)).toBe(true);
    expect(checkIntegrity(dest, md5Hex(payload))).toBe(true);
    expect(checkIntegrity(dest, '0'.repeat(32))).toBe(false);
    expect(checkIntegrity(join(dir, 'missing'))).toBe(false);
  });

  it('rejects a checksum mismatch without leaving a file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'board-dl-'));
    const dest = join(dir, 'file.bin');
    await expect(downloadUrl(`${base}file.bin`, dest, 'deadbeef'.repeat(4), { progress: null })).rejects.toThrow(
      /checksum mismatch \(expected MD5 deadbeef.*got [0-9a-f]{32}\)/,
    );
    expect(existsSync(dest)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('reports HTTP errors and unreachable hosts, trying every mirror', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'board-dl-'));
    // A closed port on 127.0.0.1 stands for "no network".
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const err = await downloadFromMirrors([`http://127.0.0.1:${deadPort}/`, base], 'nothing.bin', join(dir, 'x'), undefined, {
      progress: null,
    }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    const msg = (err as Error).message;
    expect(msg).toMatch(/could not download nothing\.bin/);
    expect(msg).toMatch(new RegExp(`127\\.0\\.0\\.1:${deadPort}/nothing\\.bin failed`));
    expect(msg).toMatch(/HTTP 404/);
    // The second mirror serves the file when the first is down.
    await downloadFromMirrors([`http://127.0.0.1:${deadPort}/`, base], 'file.bin', join(dir, 'ok.bin'), md5Hex(payload), {
      progress: null,
    });
    expect(readFileSync(join(dir, 'ok.bin')).length).toBe(payload.length);
  });

  it('draws a progress bar', () => {
    expect(progressLine('f.gz', 512, 1024, 10)).toBe('f.gz [#####.....]  50% 512 B/1.0 KiB');
    expect(progressLine('f.gz', 3 << 20, null)).toBe('f.gz 3.0 MiB');
  });
});
