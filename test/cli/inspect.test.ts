// `board inspect` / `board events`: JSON shape, corrupt and incomplete reporting, big steps, and the
// real bin/board.js entry point.
import { afterAll, expect, test, vi } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { REPO_ROOT } from '../helpers/shared.ts';
import { FIXTURE_CORPUS_DIR } from '../helpers/tfevents-corpus.ts';
import { eventsCommand, inspectCommand } from '../../lib/cli/inspect.ts';
import { SummaryWriter } from '../../lib/tfevents/index.ts';

const root = mkdtempSync(join(tmpdir(), 'board-inspect-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function capture(fn: () => Promise<number>): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => {
    lines.push(a.join(' '));
  });
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    lines.push(String(s).replace(/\n$/, ''));
    return true;
  });
  try {
    const code = await fn();
    return { code, out: lines.join('\n') };
  } finally {
    log.mockRestore();
    write.mockRestore();
  }
}

function buildLogdir(): string {
  const dir = join(root, 'logs');
  const w = new SummaryWriter(join(dir, 'train'));
  for (let i = 0; i < 4; i++) w.addScalar('loss', 1 / (i + 1), i);
  w.addScalar('loss', 9, 2n ** 60n);
  w.addText('note', 'hi', 1);
  w.close();
  // A damaged copy of a real file: one byte flipped inside its second record's payload.
  const bad = join(dir, 'damaged');
  mkdirSync(bad, { recursive: true });
  const src = resolve(FIXTURE_CORPUS_DIR, 'reducer-torch/strict/run_1/events.out.tfevents.1622543341.janoshs-mbp.lan.86862.0');
  const bytes = readFileSync(src);
  const second = 12 + Number(bytes.readBigUInt64LE(0)) + 4;
  secondRecordOffset = second;
  bytes[second + 20]! ^= 0xff;
  writeFileSync(join(bad, 'events.out.tfevents.1622543341.x'), bytes);
  // A file whose writer is mid-record.
  const tail = join(dir, 'live');
  mkdirSync(tail, { recursive: true });
  copyFileSync(resolve(FIXTURE_CORPUS_DIR, 'r-tfevents/events.out.tfevents.1687811641.v2'), join(tail, 'events.out.tfevents.1'));
  appendFileSync(join(tail, 'events.out.tfevents.1'), Buffer.from([40, 0, 0, 0, 0, 0, 0]));
  return dir;
}

let secondRecordOffset = -1;
const logdir = buildLogdir();

test('inspect --json: runs, tags with kind/count/steps/first/last, corrupt and incomplete counts', async () => {
  const { code, out } = await capture(() => inspectCommand([logdir, '--json']));
  expect(code).toBe(1); // corrupt records were found
  const doc = JSON.parse(out);
  expect(Object.keys(doc.runs)).toEqual(['damaged', 'live', 'train']);
  expect(doc.runs.train.tags.loss).toEqual({
    kind: 'scalar',
    plugin: null,
    count: 5,
    minStep: 0,
    maxStep: String(2n ** 60n),
    first: 1,
    last: 9,
  });
  expect(doc.runs.train.tags['note/text_summary']).toMatchObject({ kind: 'text', plugin: 'text', count: 1, first: 'hi' });
  expect(doc.runs.train.corruptRecords).toBe(0);
  const damaged = doc.runs.damaged;
  expect(damaged.corruptRecords).toBe(1);
  expect(damaged.corrupt).toEqual([
    { file: join(logdir, 'damaged', 'events.out.tfevents.1622543341.x'), offset: secondRecordOffset, reason: 'data-crc' },
  ]);
  expect(Object.values(damaged.tags)).toEqual([expect.objectContaining({ kind: 'scalar', count: 99 })]); // 100 scalars, one lost
  expect(doc.runs.live).toMatchObject({ corruptRecords: 0, incompleteBytes: 7 });
});

test('inspect text output and a single file', async () => {
  const { code, out } = await capture(() => inspectCommand([join(logdir, 'train')]));
  expect(code).toBe(0);
  expect(out).toMatch(/^run \. {2}\(1 file, 7 records\)/);
  expect(out).toMatch(/loss\s+scalar\s+5\s+0\.\.1152921504606846976\s+1\s+9/);
  expect(out).toContain('corrupt records: 0, incomplete bytes: 0');
  const single = resolve(FIXTURE_CORPUS_DIR, 'r-tfevents/events.out.tfevents.1687811641.v2');
  const { out: json } = await capture(() => inspectCommand([single, '--json']));
  expect(JSON.parse(json).runs['.'].tags.hello).toMatchObject({ kind: 'scalar', plugin: 'scalars', count: 1, first: 1 });
});

test('events --json prints one line per event (and corrupt records in file order)', async () => {
  const file = join(logdir, 'damaged', 'events.out.tfevents.1622543341.x');
  const { code, out } = await capture(() => eventsCommand([file, '--json']));
  expect(code).toBe(1);
  const lines = out.split('\n').map((l) => JSON.parse(l));
  expect(lines.length).toBe(101);
  expect(lines[0]).toMatchObject({ offset: 0, what: 'file_version', fileVersion: 'brain.Event:2', values: [] });
  expect(lines[1]).toMatchObject({ corrupt: { reason: 'data-crc' } });
  expect(lines[2]).toMatchObject({ what: 'summary', values: [{ kind: 'scalar', plugin: null }] });
});

test('usage errors exit 2 with a message', async () => {
  const err = vi.spyOn(console, 'error').mockImplementation(() => {});
  try {
    expect(await inspectCommand([])).toBe(2);
    expect(await inspectCommand([join(root, 'missing')])).toBe(2);
    expect(await eventsCommand([logdir])).toBe(2);
    expect(await inspectCommand(['--bogus', logdir])).toBe(2);
    expect(err.mock.calls.map((c) => String(c[0])).join('\n')).toMatch(
      /no such file or directory[\s\S]*is not a file[\s\S]*unknown option '--bogus'/,
    );
  } finally {
    err.mockRestore();
  }
});

test('bin/board.js inspect works end to end', () => {
  const out = execFileSync(process.execPath, [join(REPO_ROOT, 'bin/board.js'), 'inspect', join(logdir, 'train'), '--json'], {
    encoding: 'utf8',
  });
  expect(JSON.parse(out).runs['.'].tags.loss.count).toBe(5);
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/board.js'), 'inspect', logdir], { encoding: 'utf8' });
  expect(r.status).toBe(1);
  expect(r.stdout).toContain('corrupt record at');
});

test('control characters in run and tag names are printed escaped, not sent to the terminal (issue 10)', async () => {
  const dir = join(root, 'hostile');
  const runName = 'run\x1b]0;pwned\x07';
  const w = new SummaryWriter(join(dir, runName));
  w.addScalar('loss\x1b[2J\x1b[1;1Hfake\u202eevil\x7f', 1, 0);
  w.addText('note\r\nnot a line', 'text\x1b[31m', 0);
  w.close();
  const { out } = await capture(() => inspectCommand([dir]));
  // eslint-disable-next-line no-control-regex -- the test looks for raw control characters on purpose
  expect(out).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f\u202e]/);
  expect(out).toContain('run run\\x1b]0;pwned\\x07');
  expect(out).toContain('loss\\x1b[2J\\x1b[1;1Hfake\\u202eevil\\x7f');
  expect(out).toContain('note\\x0d\\x0anot a line');
  const file = join(dir, runName, readdirSync(join(dir, runName))[0]!);
  const ev = await capture(() => eventsCommand([file]));
  // eslint-disable-next-line no-control-regex -- the test looks for raw control characters on purpose
  expect(ev.out).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f\u202e]/);
  expect(ev.out).toContain('loss\\x1b[2J');
  // --json stays exact (JSON escapes what it must).
  const { out: json } = await capture(() => inspectCommand([dir, '--json']));
  expect(Object.keys(JSON.parse(json).runs)).toEqual([runName]);
});
