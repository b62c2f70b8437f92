// One run discovery for every command and source: the naming rules (root '.', spec-name prefix,
// .board-trash excluded) hold for the local walk, for inspect, and for a listing of object keys.
import { afterEach, expect, test, vi } from 'vitest';
import { join } from 'node:path';
import {
  discoverFiles,
  discoverRuns,
  entriesFromKeys,
  listEventFiles,
  parseLogdirSpec,
  registerSourceLister,
  sourcesOf,
  targetOf,
  TRASH_DIR,
} from '../../lib/discovery/index.ts';
import { inspectCommand } from '../../lib/cli/inspect.ts';
import { scalarRecord, tempDir, writeEvents } from '../ingest/helpers.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});
function logdir(): string {
  const t = tempDir('board-discovery-');
  cleanups.push(t.cleanup);
  return t.dir;
}

function sampleLogdir(): string {
  const dir = logdir();
  writeEvents(join(dir, 'events.out.tfevents.1.root'), scalarRecord(0, { a: 1 }));
  writeEvents(join(dir, 'b/events.out.tfevents.2.h'), scalarRecord(0, { a: 1 }));
  writeEvents(join(dir, 'b/events.out.tfevents.1.h'), scalarRecord(0, { a: 1 }));
  writeEvents(join(dir, 'a/deep/events.out.tfevents.1.h'), scalarRecord(0, { a: 1 }));
  writeEvents(join(dir, 'a/checkpoint.pt'), new Uint8Array([1]));
  writeEvents(join(dir, TRASH_DIR, '2026-01-01/old/events.out.tfevents.1.h'), scalarRecord(0, { a: 1 }));
  writeEvents(join(dir, 'c', TRASH_DIR, 'events.out.tfevents.1.h'), scalarRecord(0, { a: 1 }));
  return dir;
}

test('local walk: root run is ".", runs by relative path, files in name order, trash skipped at any depth', () => {
  const dir = sampleLogdir();
  const files = discoverFiles([{ name: null, path: dir }]);
  expect(files.map((f) => [f.run, f.rel])).toEqual([
    ['.', 'events.out.tfevents.1.root'],
    ['a/deep', 'a/deep/events.out.tfevents.1.h'],
    ['b', 'b/events.out.tfevents.1.h'],
    ['b', 'b/events.out.tfevents.2.h'],
  ]);
  expect(files[0]!.path).toBe(join(dir, 'events.out.tfevents.1.root'));
});

test('a spec name prefixes runs and names the root run', () => {
  const dir = sampleLogdir();
  const files = discoverFiles([{ name: 'base', path: dir }]);
  expect([...new Set(files.map((f) => f.run))]).toEqual(['base', 'base/a/deep', 'base/b']);
  expect(files[0]!.rel).toBe('base/events.out.tfevents.1.root');
  // The watcher's per-file lookup agrees with the walk, trash included.
  expect(targetOf([{ name: 'base', path: dir }], join(dir, 'b/events.out.tfevents.1.h'))).toMatchObject({
    run: 'base/b',
    rel: 'base/b/events.out.tfevents.1.h',
  });
  expect(targetOf([{ name: null, path: dir }], join(dir, TRASH_DIR, 'x/events.out.tfevents.1.h'))).toBeNull();
  expect(targetOf([{ name: null, path: dir }], join(dir, 'a/checkpoint.pt'))).toBeNull();
});

test('discoverRuns (board inspect) does not list trashed runs', async () => {
  const dir = sampleLogdir();
  expect(discoverRuns(dir).map((r) => [r.run, r.files.length])).toEqual([
    ['.', 1],
    ['a/deep', 1],
    ['b', 2],
  ]);
  const lines: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => {
    lines.push(a.join(' '));
  });
  try {
    expect(await inspectCommand([dir, '--json'])).toBe(0);
  } finally {
    log.mockRestore();
  }
  expect(Object.keys((JSON.parse(lines.join('\n')) as { runs: object }).runs)).toEqual(['.', 'a/deep', 'b']);
});

test('an object-store listing goes through the same rules', () => {
  const source = { name: 'remote', path: 's3://bucket/logs' };
  const keys = [
    'events.out.tfevents.1.r',
    'x/y/events.out.tfevents.2',
    'x/y/events.out.tfevents.1',
    `${TRASH_DIR}/t/events.out.tfevents.1`,
    'x/notes.txt',
  ].map((key, i) => ({ key, path: `s3://bucket/logs/${key}`, size: i }));
  expect(entriesFromKeys(source, keys)).toEqual([
    { run: 'remote', rel: 'remote/events.out.tfevents.1.r', path: 's3://bucket/logs/events.out.tfevents.1.r', size: 0 },
    { run: 'remote/x/y', rel: 'remote/x/y/events.out.tfevents.1', path: 's3://bucket/logs/x/y/events.out.tfevents.1', size: 2 },
    { run: 'remote/x/y', rel: 'remote/x/y/events.out.tfevents.2', path: 's3://bucket/logs/x/y/events.out.tfevents.2', size: 1 },
  ]);
  expect(entriesFromKeys({ name: null, path: 's3://b' }, [{ key: 'events.out.tfevents.9', path: 's3://b/events.out.tfevents.9' }])).toEqual(
    [{ run: '.', rel: 'events.out.tfevents.9', path: 's3://b/events.out.tfevents.9' }],
  );
});

test('URL sources: kept as written, listed by the lister registered for their scheme', async () => {
  const dir = sampleLogdir();
  expect(parseLogdirSpec('s3://bucket/a,mem:memtest://b/c')).toEqual([
    { name: null, path: 's3://bucket/a' },
    { name: 'mem', path: 'memtest://b/c' },
  ]);
  expect(sourcesOf({ logdir: 'memtest://b' })).toEqual([{ name: null, path: 'memtest://b' }]);
  expect(() => sourcesOf({})).toThrow(/exactly one of --logdir and --logdir_spec/);
  const sources = parseLogdirSpec(`local:${dir},mem:memtest://b/c`);
  await expect(listEventFiles(sources)).rejects.toThrow(/memtest:\/\/ log directories are not supported/);
  registerSourceLister('memtest', async (s) =>
    entriesFromKeys(s, [{ key: 'r/events.out.tfevents.1', path: `${s.path}/r/events.out.tfevents.1` }]),
  );
  const all = await listEventFiles(sources);
  expect([...new Set(all.map((e) => e.run))]).toEqual(['local', 'local/a/deep', 'local/b', 'mem/r']);
});
