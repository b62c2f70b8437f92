// `board export`: argument parsing, both output formats, and the real command end to end.
import { afterAll, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { join } from 'node:path';
import { csvLine, jsonLine, parseExportArgs, writeRows } from '../../lib/cli/export.ts';
import { REPO_ROOT } from '../helpers/shared.ts';
import { scalarRecord, tempDir, tensorScalarRecord, writeEvents } from '../ingest/helpers.ts';

const tmp = tempDir('board-export-');
afterAll(() => tmp.cleanup());

test('jsonl: one object per point; big steps as strings, non-finite values as strings', () => {
  expect(jsonLine({ run: 'a "b"', tag: 't', step: 3, wallTime: 1.5, value: 0.25 })).toBe(
    '{"run":"a \\"b\\"","tag":"t","step":3,"wall_time":1.5,"value":0.25}\n',
  );
  expect(jsonLine({ run: 'r', tag: 't', step: '1152921504606846979', wallTime: null, value: NaN })).toBe(
    '{"run":"r","tag":"t","step":"1152921504606846979","wall_time":null,"value":"nan"}\n',
  );
  expect(jsonLine({ run: 'r', tag: 't', step: 0, wallTime: 2, value: -Infinity })).toContain('"value":"-inf"');
});

test('csv: quoted fields where needed, non-finite as inf/-inf/nan', () => {
  expect(csvLine({ run: 'sin, cos', tag: 'a"b', step: -5, wallTime: 7, value: Infinity })).toBe('"sin, cos","a""b",-5,7,inf\n');
  expect(csvLine({ run: 'r', tag: 't', step: 1, wallTime: null, value: 0.5 })).toBe('r,t,1,,0.5\n');
});

test('csv: text cells that a spreadsheet would run as a formula get a leading quote (OWASP); numbers stay numbers', () => {
  expect(csvLine({ run: '=HYPERLINK("http://x")', tag: '+1', step: -5, wallTime: 7, value: -0.5 })).toBe(
    '"\'=HYPERLINK(""http://x"")",\'+1,-5,7,-0.5\n',
  );
  expect(csvLine({ run: "-2+3+cmd|' /C calc'!A0", tag: '@SUM(A1)', step: 1, wallTime: null, value: 1 })).toBe(
    "'-2+3+cmd|' /C calc'!A0,'@SUM(A1),1,,1\n",
  );
  expect(csvLine({ run: '\t=1', tag: '\r=1', step: 1, wallTime: null, value: 1 })).toBe('\'\t=1,"\'\r=1",1,,1\n');
  expect(csvLine({ run: 'a=b', tag: 'loss-1', step: 1, wallTime: null, value: 1 })).toBe('a=b,loss-1,1,,1\n');
  // JSON stays exact.
  expect(JSON.parse(jsonLine({ run: '=1+1', tag: '@x', step: 1, wallTime: null, value: 1 }))).toMatchObject({ run: '=1+1', tag: '@x' });
});

test('arguments: bad values are usage errors', () => {
  expect(parseExportArgs(['--logdir', 'x', '--format=csv', '--runs', '^a'])).toMatchObject({ logdir: 'x', format: 'csv' });
  expect(() => parseExportArgs(['--logdir', 'x', '--format', 'xml'])).toThrow("--format: expected jsonl or csv, got 'xml'");
  expect(() => parseExportArgs(['--logdir', 'x', '--tags', '('])).toThrow(/--tags: not a valid RE2 pattern/);
  expect(() => parseExportArgs([])).toThrow(/--logdir/);
  expect(parseExportArgs(['--help'])).toBe('help');
});

test('writeRows streams a header and every row', async () => {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d) => {
    text += d;
  });
  await writeRows(
    out,
    (async function* () {
      yield [{ run: 'r', tag: 't', step: 1, wallTime: 2, value: 3 }];
    })(),
    'csv',
  );
  expect(text).toBe('run,tag,step,wall_time,value\nr,t,1,2,3\n');
});

test('board export ingests what is new and prints every point (simple_value and TF2 tensor scalars)', async () => {
  const logdir = join(tmp.dir, 'logs');
  writeEvents(join(logdir, 'train/events.out.tfevents.1'), scalarRecord(1, { loss: 0.5 }, 100), scalarRecord(2, { loss: 0.25 }, 101));
  writeEvents(join(logdir, 'eval/events.out.tfevents.1.v2'), tensorScalarRecord(1, 'acc', 0.75, 100.5));
  const db = join(tmp.dir, 'store.sqlite');
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ['bin/board.js', 'export', '--logdir', logdir, '--db', db, ...args], { cwd: REPO_ROOT, encoding: 'utf8' });
  const r = run();
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(
    r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l)),
  ).toEqual([
    { run: 'eval', tag: 'acc', step: 1, wall_time: 100.5, value: 0.75 },
    { run: 'train', tag: 'loss', step: 1, wall_time: 100, value: 0.5 },
    { run: 'train', tag: 'loss', step: 2, wall_time: 101, value: 0.25 },
  ]);
  // New data since the last export is ingested first; filters apply.
  writeEvents(join(logdir, 'train/events.out.tfevents.2'), scalarRecord(3, { loss: 0.125 }, 102));
  const csv = run('--format', 'csv', '--runs', '^train$');
  expect(csv.stdout).toBe('run,tag,step,wall_time,value\ntrain,loss,1,100,0.5\ntrain,loss,2,101,0.25\ntrain,loss,3,102,0.125\n');
  // While another process keeps the store current (board serve), export reads it as it is.
  const { startIngest } = await import('../../lib/ingest/index.ts');
  const serving = await startIngest({ logdir, db, watch: false });
  await serving.initialScan;
  const shared = run('--tags', '^loss$');
  await serving.close();
  expect(shared.status).toBe(0);
  expect(shared.stderr).toMatch(/being updated by board process \d+/);
  expect(shared.stdout.trim().split('\n')).toHaveLength(3);
  // A pattern that backtracks forever in a JavaScript RegExp finishes at once (RE2, issue 10).
  const t0 = Date.now();
  writeEvents(join(logdir, 'a_run_name_of_19_chars/events.out.tfevents.1'), scalarRecord(1, { x: 1 }, 100));
  const redos = spawnSync(process.execPath, ['bin/board.js', 'export', '--logdir', logdir, '--db', db, '--runs', '^((.+)+)+!'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(redos.status).toBe(0);
  expect(redos.stdout).toBe('');
  expect(Date.now() - t0).toBeLessThan(30_000);
  const lookaround = run('--runs', '(?=x)');
  expect(lookaround.status).toBe(2);
  expect(lookaround.stderr).toMatch(/--runs: not a valid RE2 pattern/);
  const bad = run('--format', 'xml');
  expect(bad.status).toBe(2);
  expect(bad.stderr).toMatch(/--format: expected jsonl or csv/);
}, 60_000);
