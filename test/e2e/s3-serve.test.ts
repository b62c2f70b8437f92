// `board serve` on an s3:// logdir, end to end: a real S3-compatible server (s3rver on loopback), the
// official AWS SDK configured from the standard environment (AWS_ENDPOINT_URL, ...), a --logdir_spec
// that mixes an s3:// entry with a local one, and a writer uploading new parts of an event file while
// the dashboard's SSE stream and API follow it.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { join } from 'node:path';
import { startBoard, type BoardProcess } from './helpers/board-process.ts';
import { startTestS3, type TestS3 } from '../helpers/s3-server.ts';
import { concat, fileVersionRecord, scalarRecords, tempDir, writeEvents } from '../ingest/helpers.ts';

let s3: TestS3;
let board: BoardProcess | null = null;
const tmp = tempDir('board-s3-serve-');
beforeAll(async () => {
  s3 = await startTestS3(); // sets AWS_ENDPOINT_URL etc. in process.env, which the child inherits
  await s3.createBucket('team');
}, 60_000);
afterAll(async () => {
  await board?.stop();
  await s3?.stop();
  tmp.cleanup();
});

test('serve --logdir_spec with an s3:// entry: runs from both sources, and uploads of new parts reach the API and SSE live', async () => {
  let obj = concat(fileVersionRecord(), scalarRecords(0, 200, ['loss']));
  await s3.put('team', 'exp/train/events.out.tfevents.1', obj);
  writeEvents(join(tmp.dir, 'local/mine/events.out.tfevents.1'), fileVersionRecord(), scalarRecords(0, 30, ['loss']));
  board = await startBoard(['--logdir_spec', `cloud:s3://team/exp,disk:${join(tmp.dir, 'local')}`, '--reload_interval', '0.2']);
  const get = async (path: string) => {
    const r = await fetch(`${board!.url}${path}`);
    expect(r.status, path).toBe(200);
    return (await r.json()) as Record<string, unknown>;
  };
  const total = async () =>
    ((await get('/api/scalars?run=cloud/train&tag=loss&maxPoints=100000')).series as Array<{ total: number }>)[0]?.total ?? 0;
  for (const t0 = Date.now(); (await total()) !== 200;) {
    if (Date.now() - t0 > 30_000) throw new Error(`initial ingest from S3 not seen:\n${board.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(((await get('/api/runs')).runs as Array<{ name: string }>).map((r) => r.name)).toEqual(['cloud/train', 'disk/mine']);

  // An SSE client, then three uploads of a grown object (as a job syncing its logdir does).
  const ctrl = new AbortController();
  const res = await fetch(`${board.url}/api/events`, { signal: ctrl.signal });
  const seen: Array<{ run?: string; tag?: string; maxStep?: number }> = [];
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buf += decoder.decode(value, { stream: true });
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          for (const line of buf.slice(0, i).split('\n')) if (line.startsWith('data: ')) seen.push(JSON.parse(line.slice(6)));
          buf = buf.slice(i + 2);
        }
      }
    } catch {
      /* aborted */
    }
  })();
  try {
    for (let part = 1; part <= 3; part++) {
      obj = concat(obj, scalarRecords(part * 200, part * 200 + 200, ['loss']));
      await s3.put('team', 'exp/train/events.out.tfevents.1', obj);
      const want = part * 200 + 199;
      for (const t0 = Date.now(); !seen.some((e) => e.run === 'cloud/train' && e.tag === 'loss' && e.maxStep === want);) {
        if (Date.now() - t0 > 10_000) throw new Error(`no SSE event for part ${part}: ${JSON.stringify(seen.slice(-3))}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(await total()).toBe((part + 1) * 200);
    }
  } finally {
    ctrl.abort();
  }
  const series = (await get('/api/scalars?run=cloud/train&tag=loss&maxPoints=100000')).series as Array<{ steps: number[] }>;
  expect(series[0]!.steps).toEqual(Array.from({ length: 800 }, (_, i) => i));
  expect((await get('/api/warnings')).warnings).toEqual([]);
}, 120_000);
