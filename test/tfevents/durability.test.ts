// Several processes writing into one log directory, and a process killed mid-run: files never
// collide, and everything flushed before the kill is read back, with no corrupt record.
import { afterAll, expect, test } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../helpers/shared.ts';
import { readEventFile } from '../../lib/tfevents/index.ts';

const root = mkdtempSync(join(tmpdir(), 'board-durable-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const WRITER = pathToFileURL(join(REPO_ROOT, 'lib/tfevents/writer.ts')).href;

function script(body: string): string[] {
  return ['--import', 'tsx', '--input-type=module', '-e', `import { SummaryWriter } from ${JSON.stringify(WRITER)};\n${body}`];
}

test('two processes writing into one directory at the same time get their own files', async () => {
  const dir = join(root, 'shared');
  const body = `const w = new SummaryWriter(${JSON.stringify(dir)}, { maxQueue: 7 });
    for (let i = 0; i < 200; i++) w.addScalar('x', Number(process.argv.at(-1)), i);
    w.close();`;
  const run = (id: number) =>
    new Promise<number>((res) => {
      const p = spawn(process.execPath, [...script(body), String(id)], { cwd: REPO_ROOT, stdio: 'inherit' });
      p.on('exit', (code) => res(code ?? -1));
    });
  expect(await Promise.all([run(1), run(2)])).toEqual([0, 0]);
  const files = readdirSync(dir);
  expect(files.length).toBe(2);
  const pids = files.map((f) => f.split('.').at(-2));
  expect(new Set(pids).size).toBe(2);
  const ids = files.map((f) => {
    const r = readEventFile(join(dir, f));
    expect(r.corrupt).toEqual([]);
    expect(r.values.length).toBe(200);
    return (r.values[0]!.data as { value: number }).value;
  });
  expect(ids.sort()).toEqual([1, 2]);
});

test('a process killed after flush(): every flushed event is readable, nothing corrupt', () => {
  const dir = join(root, 'killed');
  const body = `const w = new SummaryWriter(${JSON.stringify(dir)}, { maxQueue: 1000, flushSecs: 0 });
    for (let i = 0; i < 50; i++) w.addScalar('loss', i, i);
    w.flush();
    for (let i = 50; i < 60; i++) w.addScalar('loss', i, i);
    process.kill(process.pid, 'SIGKILL');`;
  const r = spawnSync(process.execPath, script(body), { cwd: REPO_ROOT, encoding: 'utf8' });
  expect(r.signal).toBe('SIGKILL');
  const [file] = readdirSync(dir);
  const res = readEventFile(join(dir, file!));
  expect(res.corrupt).toEqual([]);
  expect(res.incompleteBytes).toBe(0);
  expect(res.values.map((v) => v.step)).toEqual(Array.from({ length: 50 }, (_, i) => i));
});

test('a process that exits without close() still flushes its queue', () => {
  const dir = join(root, 'exited');
  const body = `const w = new SummaryWriter(${JSON.stringify(dir)}, { maxQueue: 1000 });
    for (let i = 0; i < 5; i++) w.addScalar('loss', i, i);
    process.exit(0);`;
  expect(spawnSync(process.execPath, script(body), { cwd: REPO_ROOT }).status).toBe(0);
  const [file] = readdirSync(dir);
  expect(readEventFile(join(dir, file!)).values.length).toBe(5);
});
