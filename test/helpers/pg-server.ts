// A real PostgreSQL server for tests and benchmarks: Debian's postgresql package, started on a
// temporary data directory and a loopback port, stopped afterwards. PostgreSQL refuses to run as
// root, so as root it runs as the `postgres` user (runuser).
//
// BOARD_TEST_PG_URL (set by .ci/run, or by hand) points at an already running server instead: each
// caller then gets a fresh database on it. Without either, pgUnavailable() says why, and tests skip
// with that message; under CI (CI=true) a missing server is an error instead of a skip.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface TestPg {
  /** URL of a fresh, empty database. */
  url: string;
  /** Another fresh database on the same server. */
  newDatabase(): Promise<string>;
  /** CPU seconds used so far by the server's processes (postmaster, live backends and the ones
   *  that exited), from /proc; null for an external server (BOARD_TEST_PG_URL). Benchmarks add it
   *  to their own CPU time, because the database's work is part of an ingest's cost. */
  cpuSeconds(): number | null;
  stop(): Promise<void>;
}

/** utime + stime (+ cutime + cstime: reaped children) of a process, in clock ticks. */
function procTicks(pid: number, withReaped: boolean): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields after "(comm)": state is f[0], so utime (14th field of stat) is f[11].
    const [ut, st, cut, cst] = [f[11], f[12], f[13], f[14]].map(Number) as [number, number, number, number];
    return ut + st + (withReaped ? cut + cst : 0);
  } catch {
    return 0; // exited meanwhile: its time is now in the parent's reaped total
  }
}

function serverCpuSeconds(dataDir: string): number | null {
  let master: number;
  try {
    master = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return null;
  }
  let ticks = procTicks(master, true);
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === master) ticks += procTicks(Number(e), true);
    } catch {
      /* gone */
    }
  }
  const hz = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  return ticks / hz;
}

function pgBinDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(root, versions[0]!, 'bin') : null;
}

/** Why no PostgreSQL can be had here, or null when one can. */
export function pgUnavailable(): string | null {
  if (process.env.BOARD_TEST_PG_URL) return null;
  if (!pgBinDir()) {
    const why = 'PostgreSQL is not installed (apt-get install postgresql) and BOARD_TEST_PG_URL is not set';
    if (process.env.CI) throw new Error(`CI must run the PostgreSQL tests: ${why}`);
    return why;
  }
  return null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

let counter = 0;
async function createDatabase(adminUrl: string): Promise<string> {
  const name = `board_test_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query(`CREATE DATABASE ${name}`);
  } finally {
    await c.end();
  }
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Start (or reuse, see BOARD_TEST_PG_URL) a server and return a fresh database on it. */
export async function startTestPg(opts: { fast?: boolean } = {}): Promise<TestPg> {
  const external = process.env.BOARD_TEST_PG_URL;
  if (external) {
    return { url: await createDatabase(external), newDatabase: () => createDatabase(external), cpuSeconds: () => null, async stop() {} };
  }
  const bin = pgBinDir();
  if (!bin) throw new Error('PostgreSQL is not installed');
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'board-pg-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  const run = (cmd: string, args: string[]) =>
    asRoot
      ? spawnSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { encoding: 'utf8' })
      : spawnSync(cmd, args, { encoding: 'utf8' });
  const init = run(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'board', '-E', 'UTF8', '--no-sync', '--locale=C']);
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${init.stderr || init.stdout}`);
  }
  const port = await freePort();
  const args = [
    '-D',
    data,
    '-p',
    String(port),
    '-k',
    dir,
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'max_connections=200',
    '-c',
    'shared_buffers=128MB',
  ];
  // Tests do not need durability against power loss; benchmarks keep the defaults.
  if (opts.fast !== false) args.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  const child: ChildProcess = asRoot
    ? spawn('runuser', ['-u', 'postgres', '--', join(bin, 'postgres'), ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
    : spawn(join(bin, 'postgres'), args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (d) => {
    log += d;
    if (log.length > 20000) log = log.slice(-10000);
  });
  const adminUrl = `postgres://board@127.0.0.1:${port}/postgres`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.end();
      break;
    } catch (err) {
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill('SIGKILL');
        rmSync(dir, { recursive: true, force: true });
        throw new Error(`postgres did not start: ${(err as Error).message}\n${log}`, { cause: err });
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url: await createDatabase(adminUrl),
    newDatabase: () => createDatabase(adminUrl),
    cpuSeconds: () => serverCpuSeconds(data),
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        // Fast shutdown (disconnects clients, then exits); pg_ctl signals the postmaster by its pid file.
        run(join(bin, 'pg_ctl'), ['-D', data, 'stop', '-m', 'fast', '-w', '-t', '10']);
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
