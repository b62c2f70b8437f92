// `board serve` (and bare `board --logdir DIR`): ingest a logdir live and serve the dashboard.
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { startBoardServer, ServeError, type BoardServer } from '../server/http.ts';
import type { ActiveStore } from '../server/registry.ts';
import { APP_DIR, ensureWebBuild } from '../server/web-build.ts';
import { isUrl, sourcesOf } from '../discovery/index.ts';
import { EXIT_FAILURE, EXIT_OK, runCommand } from './args.ts';
import { parseServeArgs, SERVE_HELP, type ServeOptions } from './serve-args.ts';
import { version } from './version.ts';
import { openReadStore, type ReadStore } from './read-store.ts';
import { isPgUrl, redactUrl } from '../store/pg/url.ts';

/** Runs until SIGINT/SIGTERM; resolves with the exit status. */
export function serveCommand(argv: string[]): Promise<number> {
  return runCommand('board serve', () => serve(parseServeArgs(argv)));
}

async function serve(opts: ServeOptions): Promise<number> {
  if (opts.help) {
    process.stdout.write(SERVE_HELP);
    return EXIT_OK;
  }
  if (opts.version) {
    console.log(version());
    return EXIT_OK;
  }

  if (opts.noIngest) return serveStoreOnly(opts);
  const problem = checkLogdirs(opts);
  if (problem) {
    console.error(`board serve: ${problem}`);
    return EXIT_FAILURE;
  }
  // A fresh checkout has no dashboard build: make it now, before anything else starts.
  try {
    await ensureWebBuild({ appDir: APP_DIR });
  } catch (err) {
    console.error(`board serve: cannot build the dashboard: ${err instanceof Error ? err.message : String(err)}`);
    return EXIT_FAILURE;
  }

  const { startIngest } = await import('../ingest/index.ts');
  let ingester: Awaited<ReturnType<typeof startIngest>>;
  const started = Date.now();
  try {
    ingester = await startIngest({
      logdir: opts.logdir ?? undefined,
      logdirSpec: opts.logdirSpec ?? undefined,
      db: opts.db ?? undefined,
      watch: true,
      pollIntervalMs: opts.reloadIntervalSec === null ? undefined : opts.reloadIntervalSec * 1000,
      progress: 'auto',
    });
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    console.error(opts.db ? `board serve: cannot open database ${opts.db}: ${msg}` : `board serve: cannot start ingest: ${msg}`);
    return EXIT_FAILURE;
  }

  // With PostgreSQL, browsers follow the LISTEN feed: it carries this process's commits and those
  // of every other ingester writing to the database.
  let feed: ReadStore | null = null;
  if (opts.db && isPgUrl(opts.db)) {
    try {
      feed = await openReadStore(opts.db);
    } catch (err) {
      await ingester.close();
      throw err;
    }
  }
  const store: ActiveStore = {
    queries: ingester.queries,
    onChange: feed?.onChange ?? ((listener) => ingester.onChange(listener)),
    deleteRun: (run, o) => ingester.deleteRun(run, o),
    caps: opts.caps,
    logdir: opts.logdir ?? opts.logdirSpec ?? '',
    sources: sourcesOf(opts),
    version: version(),
  };
  let server: BoardServer;
  try {
    server = await startBoardServer({ appDir: APP_DIR, host: opts.host, port: opts.port, allowedHosts: opts.allowedHosts, store });
  } catch (err) {
    await ingester.close();
    if (err instanceof ServeError) {
      console.error(`board serve: ${err.message}`);
      return EXIT_FAILURE;
    }
    throw err;
  }
  console.log(`Board ${version()} at ${server.url} (Ctrl-C to quit)`);
  logWarmUp(server);
  if (opts.host !== '127.0.0.1' && opts.host !== 'localhost' && opts.host !== '::1') {
    console.log(`warning: listening on ${opts.host}: anyone who can reach this machine can read these logs`);
  }
  if (opts.open) openBrowser(server.url);
  ingester.initialScan.then(
    async () =>
      console.log(
        `ingest: initial scan done in ${((Date.now() - started) / 1000).toFixed(1)} s (${(await ingester.queries.listRuns()).length} runs), watching for changes`,
      ),
    (err: unknown) => console.error(`ingest: initial scan failed: ${err instanceof Error ? err.message : String(err)}`),
  );
  return waitForShutdown(async () => {
    await server.close();
    await feed?.close();
    await ingester.close();
  });
}

/** `board serve --db URL --no_ingest`: a stateless web server over a store others fill. */
async function serveStoreOnly(opts: ServeOptions): Promise<number> {
  let rs: ReadStore;
  try {
    rs = await openReadStore(opts.db!);
  } catch (err) {
    console.error(`board serve: cannot open database ${isPgUrl(opts.db!) ? redactUrl(opts.db!) : opts.db}: ${(err as Error).message}`);
    return EXIT_FAILURE;
  }
  const store: ActiveStore = {
    queries: rs.queries,
    onChange: rs.onChange ?? (() => () => {}),
    deleteRun: () => {
      throw new Error('this board serves a store without ingesting (--no_ingest): delete runs where they are ingested');
    },
    caps: opts.caps,
    logdir: '',
    version: version(),
  };
  let server: BoardServer;
  try {
    server = await startBoardServer({ appDir: APP_DIR, host: opts.host, port: opts.port, allowedHosts: opts.allowedHosts, store });
  } catch (err) {
    await rs.close();
    if (err instanceof ServeError) {
      console.error(`board serve: ${err.message}`);
      return EXIT_FAILURE;
    }
    throw err;
  }
  console.log(
    `Board ${version()} at ${server.url} (serving ${isPgUrl(opts.db!) ? redactUrl(opts.db!) : opts.db}, no ingest; Ctrl-C to quit)`,
  );
  logWarmUp(server);
  if (opts.open) openBrowser(server.url);
  return waitForShutdown(async () => {
    await server.close();
    await rs.close();
  });
}

function checkLogdirs(opts: ServeOptions): string | null {
  let sources;
  try {
    sources = sourcesOf(opts);
  } catch (err) {
    return (err as Error).message;
  }
  for (const { path } of sources) {
    if (isUrl(path)) continue; // remote sources are checked by their lister
    if (!existsSync(path)) return `log directory '${path}' does not exist`;
    if (!statSync(path).isDirectory()) return `'${path}' is not a directory (--logdir wants the folder that holds the runs)`;
  }
  return null;
}

export function waitForShutdown(shutdown: () => Promise<void>): Promise<number> {
  return new Promise((resolveExit) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        console.error('board: forced exit');
        process.exit(130);
      }
      stopping = true;
      console.log(`\nboard: ${signal}, shutting down`);
      // Whatever a dependency leaves open must not keep a stopped board alive.
      setTimeout(() => process.exit(process.exitCode ?? 0), 2000).unref();
      shutdown().then(
        () => resolveExit(0),
        (err: unknown) => {
          console.error(`board: error while shutting down: ${err instanceof Error ? err.message : String(err)}`);
          resolveExit(1);
        },
      );
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
}

function openBrowser(url: string): void {
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'cmd' : 'xdg-open';
  const args = process.platform === 'win32' ? ['/c', 'start', '', url] : [url];
  try {
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
    child.on('error', () => console.log(`(could not open a browser: open ${url} yourself)`));
    child.unref();
  } catch {
    console.log(`(could not open a browser: open ${url} yourself)`);
  }
}

/** One line once every page has been rendered once (first visits no longer pay Next's cold start). */
function logWarmUp(server: BoardServer): void {
  void server.warmedUp.then(({ pages, ms }) => console.log(`web: ${pages} pages rendered once in ${(ms / 1000).toFixed(1)} s`));
}
