// The board's HTTP server: Next.js (production build, webpack) behind a plain node:http server,
// plus the SSE change feed. The CLI owns the store; this module only serves it.
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setActiveStore, type ActiveStore } from './registry.ts';
import { serveEvents } from './sse.ts';

export interface BoardServerOptions {
  /** Folder holding next.config.js, app/ and the .next build. */
  appDir: string;
  host: string;
  port: number;
  store: ActiveStore;
}

export interface BoardServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export class ServeError extends Error {}

/** Request header carrying the query string ('?a=1' or '') to the root layout. */
export const SEARCH_HEADER = 'x-board-search';

function searchOf(url: string | undefined): string {
  const q = url?.indexOf('?') ?? -1;
  return q < 0 ? '' : url!.slice(q);
}

/** Starts Next and the HTTP server; resolves once the server answers a request. */
export async function startBoardServer(opts: BoardServerOptions): Promise<BoardServer> {
  if (!existsSync(join(opts.appDir, '.next', 'BUILD_ID'))) {
    throw new ServeError(`no web build found in ${join(opts.appDir, '.next')}: run 'npm run build:web' in ${opts.appDir} first`);
  }
  process.env.NEXT_TELEMETRY_DISABLED = '1';
  setActiveStore(opts.store);
  const { default: next } = await import('next');
  const app = next({ dev: false, dir: opts.appDir, quiet: true, customServer: true });
  await app.prepare();
  const handle = app.getRequestHandler();

  const loopbackOnly = LOOPBACK.has(opts.host);
  const server = createServer((req, res) => {
    // DNS rebinding guard: a page on evil.example resolved to 127.0.0.1 reaches this server with a
    // foreign Host header. A loopback-only board answers only loopback host names.
    if (loopbackOnly && !isLoopbackHostHeader(req.headers.host)) {
      res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' }).end('board: refused request for a non-local Host header\n');
      return;
    }
    if (req.url === '/api/events' || req.url?.startsWith('/api/events?')) return serveEvents(req, res, opts.store);
    // The page's view state is its query string. The root layout renders it on the server (so the
    // first paint already shows the URL's controls); it learns it from this header, which is always
    // set here, never taken from the client.
    req.headers[SEARCH_HEADER] = searchOf(req.url);
    handle(req, res).catch((err: unknown) => {
      console.error('board: request failed:', err);
      if (!res.headersSent) res.writeHead(500).end('internal error');
    });
  });
  const port = await listen(server, opts.host, opts.port);
  const url = `http://${displayHost(opts.host)}:${port}/`;
  await waitUntilAnswering(`http://${connectHost(opts.host)}:${port}/api/health`);
  return {
    url,
    port,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await app.close?.();
      setActiveStore(undefined);
    },
  };
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

function isLoopbackHostHeader(host: string | undefined): boolean {
  if (!host) return false;
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '');
  return LOOPBACK.has(name.toLowerCase()) || /^127\.\d+\.\d+\.\d+$/.test(name);
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') reject(new ServeError(`port ${port} on ${host} is already in use: pick another with --port, or --port 0 for a free one`));
      else if (err.code === 'EACCES') reject(new ServeError(`no permission to listen on ${host}:${port} (ports below 1024 need privileges)`));
      else if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') reject(new ServeError(`cannot listen on host '${host}': no such local address`));
      else reject(err);
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : port);
    });
  });
}

function displayHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return hostname();
  return host.includes(':') ? `[${host}]` : host;
}

function connectHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

async function waitUntilAnswering(url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
      lastError = new Error(`HTTP ${res.status}`);
    } catch (err) { lastError = err; }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new ServeError(`the server did not answer ${url}: ${lastError instanceof Error ? lastError.message : String(lastError)}`);
}
