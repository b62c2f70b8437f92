// Low items of issue 10: symlinked run directories are treated alike by the initial scan and the
// watcher (not entered by either; a symlinked event file is read and followed by both), and when
// the OS watch limit is hit the watcher falls back to polling with a warning.
import { afterEach, expect, test, vi } from 'vitest';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { startIngest, type Ingester } from '../../lib/ingest/index.ts';
import { appendEvents, fileVersionRecord, scalarRecords, tempDir, waitFor, writeEvents } from '../ingest/helpers.ts';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function live(dir: string, extra: Partial<Parameters<typeof startIngest>[0]> = {}): Promise<Ingester> {
  const ing = await startIngest({ logdir: dir, db: ':memory:', watch: true, ...extra });
  cleanups.push(() => ing.close());
  await ing.initialScan;
  return ing;
}

async function count(ing: Ingester, run: string, tag: string): Promise<number> {
  return (await ing.queries.scalars([run], tag, { maxPoints: 1e9 }))[0]?.total ?? 0;
}

async function runNames(ing: Ingester): Promise<string[]> {
  return (await ing.queries.listRuns()).map((r) => r.name);
}

test('a symlinked run directory is skipped by the scan and by the watcher alike; a symlinked event file is followed by both', async () => {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const logs = join(dir, 'logs'),
    outside = join(dir, 'outside');
  writeEvents(join(logs, 'a/events.out.tfevents.1.h'), fileVersionRecord(), scalarRecords(0, 3, ['t']));
  writeEvents(join(outside, 'b/events.out.tfevents.1.h'), fileVersionRecord(), scalarRecords(0, 3, ['t']));
  writeEvents(join(outside, 'single/events.out.tfevents.2.h'), fileVersionRecord(), scalarRecords(0, 3, ['t']));
  symlinkSync(join(outside, 'b'), join(logs, 'linked'));
  mkdirSync(join(logs, 'c'));
  symlinkSync(join(outside, 'single/events.out.tfevents.2.h'), join(logs, 'c/events.out.tfevents.2.h'));
  const ing = await live(logs);
  expect(await runNames(ing)).toEqual(['a', 'c']);
  // Writes behind the directory link: still not a run. Writes to the linked file's target: read.
  appendEvents(join(outside, 'b/events.out.tfevents.1.h'), scalarRecords(3, 6, ['t']));
  writeEvents(join(outside, 'b/events.out.tfevents.3.h'), scalarRecords(0, 2, ['t']));
  appendEvents(join(outside, 'single/events.out.tfevents.2.h'), scalarRecords(3, 6, ['t']));
  appendEvents(join(logs, 'a/events.out.tfevents.1.h'), scalarRecords(3, 6, ['t']));
  await waitFor(
    async () => (await count(ing, 'a', 't')) === 6 && (await count(ing, 'c', 't')) === 6,
    8000,
    'appends to a and to the linked file',
  );
  await new Promise((r) => setTimeout(r, 400));
  expect(await runNames(ing)).toEqual(['a', 'c']);
  // A directory link added while watching is not entered either.
  symlinkSync(join(outside, 'b'), join(logs, 'linked2'));
  writeEvents(join(logs, 'd/events.out.tfevents.1.h'), scalarRecords(0, 2, ['t']));
  await waitFor(async () => (await count(ing, 'd', 't')) === 2, 8000, 'new run d');
  await new Promise((r) => setTimeout(r, 300));
  expect(await runNames(ing)).toEqual(['a', 'c', 'd']);
}, 30_000);

test('the OS watch limit (ENOSPC) switches the watcher to polling with a warning; updates keep arriving', async () => {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  writeEvents(join(dir, 'a/events.out.tfevents.1.h'), fileVersionRecord(), scalarRecords(0, 3, ['t']));
  const ing = await live(dir);
  expect(ing.watchMode).toBe('events');
  const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
  cleanups.push(() => errors.mockRestore());
  // What chokidar reports when inotify refuses a watch (fs.inotify.max_user_watches reached).
  const watcher = (ing as unknown as { watcher: { instance: { emit(e: string, x: unknown): void } } }).watcher.instance;
  watcher.emit(
    'error',
    Object.assign(new Error('ENOSPC: System limit for number of file watchers reached, watch'), { code: 'ENOSPC', errno: -28 }),
  );
  await waitFor(() => ing.watchMode === 'polling', 5000, 'the polling fallback');
  expect(errors.mock.calls.flat().join(' ')).toMatch(/ENOSPC: the system limit on file watches .* polling every 1000 ms/);
  appendEvents(join(dir, 'a/events.out.tfevents.1.h'), scalarRecords(3, 6, ['t']));
  writeEvents(join(dir, 'b/events.out.tfevents.1.h'), scalarRecords(0, 2, ['t']));
  await waitFor(async () => (await count(ing, 'a', 't')) === 6 && (await count(ing, 'b', 't')) === 2, 10_000, 'polled updates');
}, 30_000);
