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

  const store: ActiveStore = {
    queries: ingester.queries,
    onChange: (listener) => ingester.onChange(listener),
    deleteRun: (run, o) => ingester.deleteRun(run, o),
    caps: opts.caps,
    logdir: opts.logdir ?? opts.logdirSpec ?? '',
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
    await ingester.close();
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

function waitForShutdown(shutdown: () => Promise<void>): Promise<number> {
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
