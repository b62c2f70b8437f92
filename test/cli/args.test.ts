// The shared argument parser and exit statuses of every command: --flag_name and --flag-name are
// the same flag everywhere, usage errors exit 2, failures 1, success 0.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { REPO_ROOT } from '../helpers/shared.ts';
import { EXIT_USAGE, intFlag, parseFlags, runCommand, UsageError } from '../../lib/cli/args.ts';
import { parseServeArgs } from '../../lib/cli/serve-args.ts';
import { parseExportArgs } from '../../lib/cli/export.ts';
import { parseDemoArgs } from '../../lib/demo/args.ts';

const DEFS = {
  logdir_spec: { type: 'string' },
  bind_all: { type: 'boolean' },
  port: { type: 'string', short: 'p' },
  tag: { type: 'string', multiple: true },
} as const;

test('--flag_name and --flag-name are one flag, in both value forms', () => {
  for (const argv of [['--logdir_spec', 'a:b'], ['--logdir-spec', 'a:b'], ['--logdir_spec=a:b'], ['--logdir-spec=a:b']]) {
    expect(parseFlags(argv, DEFS).values.logdir_spec).toBe('a:b');
  }
  expect(parseFlags(['--bind-all'], DEFS).values.bind_all).toBe(true);
  expect(parseFlags(['-p', '80', '--tag', 'x', '--tag=y'], DEFS).values).toEqual({ port: '80', tag: ['x', 'y'] });
});

test('a value flag takes the next argument even when it starts with "-"', () => {
  expect(parseFlags(['--port', '-1'], DEFS).values.port).toBe('-1');
  expect(() => intFlag('port', '-1', 0, 65535)).toThrow("--port: expected an integer 0..65535, got '-1'");
  expect(() => intFlag('port', '', 0, 65535)).toThrow(/expected an integer/);
});

test('usage problems are UsageErrors naming the flag', () => {
  expect(() => parseFlags(['--nope'], DEFS, { hint: 'see --help' })).toThrow(new UsageError("unknown option '--nope' (see --help)"));
  expect(() => parseFlags(['-z'], DEFS)).toThrow(UsageError);
  expect(() => parseFlags(['--port'], DEFS)).toThrow('--port needs a value');
  expect(() => parseFlags(['--bind-all=1'], DEFS)).toThrow('--bind_all takes no value');
  expect(() => parseFlags(['stray'], DEFS)).toThrow("unexpected argument 'stray'");
  expect(parseFlags(['stray', '--', '--not-a-flag'], DEFS, { positionals: true }).positionals).toEqual(['stray', '--not-a-flag']);
});

test('every command accepts both spellings of its multi-word flags', () => {
  expect(parseServeArgs(['--logdir-spec', 'a:x', '--reload-interval', '2', '--samples-per-plugin=images=3', '--bind-all'])).toMatchObject({
    logdirSpec: 'a:x',
    reloadIntervalSec: 2,
    caps: { images: 3 },
    host: '::',
  });
  expect(parseExportArgs(['--logdir_spec', 'a:x'])).toMatchObject({ logdirSpec: 'a:x' });
  expect(parseExportArgs(['--logdir-spec', 'a:x'])).toMatchObject({ logdirSpec: 'a:x' });
  expect(parseDemoArgs(['--batch_size', '3', '--no_download'])).toMatchObject({ batchSize: 3, download: false });
  expect(parseDemoArgs(['--batch-size', '3', '--no-download'])).toMatchObject({ batchSize: 3, download: false });
});

test('runCommand: 0 / 1 / 2', async () => {
  const quiet = { error: console.error };
  console.error = () => {};
  try {
    expect(await runCommand('t', () => 0)).toBe(0);
    expect(
      await runCommand('t', () => {
        throw new UsageError('bad');
      }),
    ).toBe(EXIT_USAGE);
    expect(
      await runCommand('t', async () => {
        throw new Error('broken');
      }),
    ).toBe(1);
  } finally {
    console.error = quiet.error;
  }
});

function board(...args: string[]) {
  return spawnSync(process.execPath, [join(REPO_ROOT, 'bin/board.js'), ...args], { encoding: 'utf8' });
}

test('bin/board.js: the same exit statuses for every command', { timeout: 180_000 }, () => {
  const cases: Array<[string[], number, RegExp]> = [
    [[], 2, /Usage: board/],
    [['--help'], 0, /Usage: board/],
    [['frobnicate'], 2, /unknown command 'frobnicate'/],
    [['inspect'], 2, /board inspect: expected one <file-or-logdir> argument/],
    [['inspect', '--bogus', 'x'], 2, /board inspect: unknown option '--bogus'/],
    [['events', '--help'], 0, /Usage: board events/],
    [['export', '--logdir', 'x', '--format', 'xml'], 2, /board export: --format: expected jsonl or csv/],
    [['export', '--logdir-spec'], 2, /--logdir_spec needs a value/],
    [['serve', '--logdir', 'x', '--port', '-3'], 2, /--port: expected an integer 0..65535, got '-3'/],
    [['--logdir-spec', `a:${join(REPO_ROOT, 'no-such-dir-xyz')}`], 1, /does not exist/],
  ];
  for (const [args, code, message] of cases) {
    const r = board(...args);
    expect({ args, code: r.status, out: message.test(r.stdout + r.stderr) }).toEqual({ args, code, out: true });
  }
});
