import { expect, test } from 'vitest';
import { parseServeArgs, SERVE_HELP } from '../../lib/cli/serve-args.ts';

test('defaults: port 6006 on 127.0.0.1, file-system events', () => {
  const o = parseServeArgs(['--logdir', 'logs']);
  expect(o).toMatchObject({ logdir: 'logs', port: 6006, host: '127.0.0.1', reloadIntervalSec: null, db: null, open: false });
});

test('flags in both --flag value and --flag=value forms', () => {
  const o = parseServeArgs([
    '--logdir=logs',
    '-p',
    '0',
    '--db',
    'x.sqlite',
    '--reload_interval=0.5',
    '--samples_per_plugin',
    'images=3',
    '--open',
  ]);
  expect(o).toMatchObject({ port: 0, db: 'x.sqlite', reloadIntervalSec: 0.5, caps: { images: 3 }, open: true });
  expect(parseServeArgs(['--logdir', 'l', '--bind_all']).host).toBe('::');
  expect(parseServeArgs(['--logdir_spec', 'a:x,b:y']).logdirSpec).toBe('a:x,b:y');
});

test('usage errors name the problem', () => {
  expect(() => parseServeArgs([])).toThrowErrorMatchingInlineSnapshot(
    `[UsageError: --logdir is required (or --logdir_spec); see 'board serve --help']`,
  );
  expect(() => parseServeArgs(['--logdir', 'l', '--port', '70000'])).toThrowErrorMatchingInlineSnapshot(
    `[UsageError: --port: expected an integer 0..65535, got '70000']`,
  );
  expect(() => parseServeArgs(['--logdir', 'l', '--frobnicate'])).toThrow(/unknown option '--frobnicate'/);
  expect(() => parseServeArgs(['--logdir'])).toThrow(/--logdir needs a value/);
  expect(() => parseServeArgs(['--logdir', 'a', '--logdir_spec', 'b:c'])).toThrow(/cannot be used together/);
  expect(() => parseServeArgs(['--logdir', 'l', '--reload_interval', '-1'])).toThrow(/--reload_interval/);
});

test('help documents every flag with defaults and exit status', () => {
  for (const flag of [
    '--logdir',
    '--logdir_spec',
    '--port',
    '--host',
    '--bind_all',
    '--db',
    '--reload_interval',
    '--samples_per_plugin',
    '--open',
    '--version',
    '--help',
  ]) {
    expect(SERVE_HELP).toContain(flag);
  }
  expect(SERVE_HELP).toContain('[default: 6006]');
  expect(SERVE_HELP).toContain('Exit status');
  expect(parseServeArgs(['--help']).help).toBe(true);
});

test('--allowed_hosts (or --allowed-hosts) lists extra Host names; garbage is a usage error (issue 10)', () => {
  expect(parseServeArgs(['--logdir', 'l']).allowedHosts).toEqual([]);
  expect(parseServeArgs(['--logdir', 'l', '--allowed_hosts', 'a.example, b.example,fd00::1,[fd00::2]']).allowedHosts).toEqual([
    'a.example',
    'b.example',
    'fd00::1',
    '[fd00::2]',
  ]);
  expect(parseServeArgs(['--logdir', 'l', '--allowed-hosts=x.example']).allowedHosts).toEqual(['x.example']);
  expect(() => parseServeArgs(['--logdir', 'l', '--allowed_hosts', 'a.example,http://b/'])).toThrow(
    "--allowed_hosts: 'http://b/' is not a host name or address",
  );
});
