// `board serve` as a user runs it: help, version, clear start-up errors, clean Ctrl-C.
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { SummaryWriter } from '../../lib/tfevents/index.ts';
import { runBoard, startBoard } from './helpers/board-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'board-cli-'));
mkdirSync(join(dir, 'logs'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('--help documents the flags; --version prints the version', async () => {
  const help = await runBoard(['serve', '--help']);
  expect(help.code).toBe(0);
  expect(help.stdout).toContain('Usage: board [serve] --logdir <DIR> [OPTIONS]');
  expect(help.stdout).toContain('--samples_per_plugin');
  const version = await runBoard(['serve', '--version']);
  expect(version.code).toBe(0);
  expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
});

test('bad usage exits 2 with the problem named', async () => {
  const r = await runBoard(['--logdir', 'x', '--port', 'abc']);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain("--port: expected an integer 0..65535, got 'abc'");
});

test('a missing log directory is a clear error', async () => {
  const r = await runBoard(['--logdir', join(dir, 'nope')]);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain(`log directory '${join(dir, 'nope')}' does not exist`);
});

test('a database that cannot be opened is a clear error', async () => {
  writeFileSync(join(dir, 'not-a-dir'), 'x');
  const db = join(dir, 'not-a-dir', 'store.sqlite');
  const r = await runBoard(['--logdir', join(dir, 'logs'), '--db', db]);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain(`cannot open database ${db}`);
});

test('a port in use is a clear error', async () => {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
  const port = (blocker.address() as { port: number }).port;
  try {
    const r = await runBoard(['--logdir', join(dir, 'logs'), '--db', join(dir, 'p.sqlite'), '--port', String(port)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
  } finally {
    blocker.close();
  }
});

test('prints its URL once answering, binds 127.0.0.1, and Ctrl-C shuts down cleanly', async () => {
  // --logdir_spec names the source; --samples_per_plugin caps what the API hands the UI.
  const w = new SummaryWriter(join(dir, 'logs', 'r'), { flushSecs: 3600 });
  for (let s = 0; s < 300; s++) w.addScalar('x', s, s);
  w.close();
  const board = await startBoard([
    '--logdir_spec',
    `exp:${join(dir, 'logs')}`,
    '--db',
    join(dir, 'c.sqlite'),
    '--samples_per_plugin',
    'scalars=20',
  ]);
  try {
    expect(board.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${board.url}/api/health`);
    expect(res.status).toBe(200);
    expect(await fetch(`${board.url}/scalars`).then((r) => r.status)).toBe(200);
    // The URL's view state is in the server-rendered HTML (no flash of default controls), and a
    // client cannot inject another one through the header that carries it.
    const html = await fetch(`${board.url}/scalars?runFilter=zq9`, { headers: { 'x-board-search': '?runFilter=evil' } }).then((r) =>
      r.text(),
    );
    expect(html).toMatch(/id="run-filter"[^>]*value="zq9"/);
    expect(html).not.toContain('evil');
    await board.waitFor('initial scan done');
    const runs = (await (await fetch(`${board.url}/api/runs`)).json()) as { runs: Array<{ name: string }> };
    const run = runs.runs.map((r) => r.name).find((n) => n.startsWith('exp'))!;
    expect(run).toMatch(/^exp.*r$/);
    const { series } = (await (await fetch(`${board.url}/api/scalars?run=${encodeURIComponent(run)}&tag=x&maxPoints=1000`)).json()) as {
      series: Array<{ steps: number[]; total: number }>;
    };
    expect(series[0]!.total).toBe(300);
    expect(series[0]!.steps.length).toBeLessThanOrEqual(20 * 4); // 20 buckets, each keeps first/min/max/last
  } finally {
    const code = await board.stop('SIGINT');
    expect(code).toBe(0);
    expect(board.output()).toContain('SIGINT, shutting down');
  }
});
