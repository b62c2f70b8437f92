// The board's HTTP server: Next.js (production build, webpack) behind a plain node:http server,
// plus the SSE change feed. The CLI owns the store; this module only serves it.
import { existsSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setActiveStore, type ActiveStore } from './registry.ts';
import { allowedHostNames, checkBody, checkHost, checkSameOrigin, FRAME_HEADERS } from './request-guard.ts';
import { createEventFeed, type EventFeed, type EventFeedLimits } from './sse.ts';
import { SEARCH_HEADER } from './search-header.ts';
import { warmUp } from './warm-up.ts';

export interface BoardServerOptions {
  /** Folder holding next.config.js, app/ and the .next build. */
  appDir: string;
  host: string;
  port: number;
  store: ActiveStore;
  /** Extra names the Host header may carry (`--allowed_hosts`), besides this machine's own. */
  allowedHosts?: readonly string[];
  /** SSE limits (tests make them small); defaults in lib/server/sse.ts. */
  sseLimits?: Partial<EventFeedLimits>;
}

export interface BoardServer {
  url: string;
  port: number;
  /** The SSE feed (its client count, for tests and the campaign). */
  events: EventFeed;
  /** Every page rendered once in the background after start (lib/server/warm-up.ts). */
  warmedUp: Promise<{ pages: number; ms: number }>;
  close(): Promise<void>;
}

export class ServeError extends Error {}

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

  const allowedHosts = allowedHostNames(opts.host, opts.allowedHosts ?? []);
  const events = createEventFeed(opts.store, opts.sseLimits);
  const server = createServer((req, res) => {
    for (const [k, v] of Object.entries(FRAME_HEADERS)) res.setHeader(k, v);
    // DNS rebinding guard: a page on evil.example resolved to this machine reaches this server
    // with a foreign Host header; only this machine's names are answered, whatever the bind.
    const badHost = checkHost(req.headers.host, allowedHosts);
    if (badHost) return refuse(res, 403, badHost);
    // The board's pages and API use GET, HEAD and POST; other methods (TRACE made Next answer 500)
    // get a 405 here.
    if (!METHODS.has(req.method ?? ''))
      return refuse(res, 405, `method ${String(req.method).slice(0, 20)} not allowed`, { allow: 'GET, HEAD, POST' });
    const path = req.url ?? '/';
    const isApi = path === '/api' || path.startsWith('/api/') || path.startsWith('/api?');
    // Pages are read with GET/HEAD only (the one write, deleting a run, is an /api POST). Next would
    // treat a form POST to a page as a Server Action the board does not have, and log the failure
    // with a source-mapped stack: 300+ ms of the event loop per request, for nothing.
    if (!isApi && req.method === 'POST') return refuse(res, 405, 'pages answer GET and HEAD only', { allow: 'GET, HEAD' });
    if (isApi) {
      const crossSite = checkSameOrigin(req.headers);
      if (crossSite) return refuse(res, 403, crossSite);
      const badBody = checkBody(req.method, req.headers);
      if (badBody) return refuse(res, badBody[0], badBody[1]);
      if (path === '/api/events' || path.startsWith('/api/events?')) return events.serve(req, res);
      // Liveness answered before Next: a monitor's probe costs one small write, whatever the load.
      if (path === '/api/health' && req.method === 'GET') return sendJson(res, 200, { ok: true, version: opts.store.version });
    }
    // The page's view state is its query string. The root layout renders it on the server (so the
    // first paint already shows the URL's controls); it learns it from this header, which is always
    // set here, never taken from the client.
    req.headers[SEARCH_HEADER] = searchOf(req.url);
    handle(req, res).catch((err: unknown) => {
      console.error('board: request failed:', err);
      if (!res.headersSent) res.writeHead(500).end('internal error');
    });
  });
  // Slow-loris bounds: a client has this long to send its headers / whole request.
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;
  const port = await listen(server, opts.host, opts.port);
  const url = `http://${displayHost(opts.host)}:${port}/`;
  await waitUntilAnswering(`http://${connectHost(opts.host)}:${port}/api/health`);
  const warming = new AbortController();
  const warmedUp = warmUp(`http://${connectHost(opts.host)}:${port}`, opts.appDir, warming.signal);
  return {
    url,
    port,
    events,
    warmedUp,
    async close() {
      warming.abort();
      events.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await app.close?.();
      setActiveStore(undefined);
    },
  };
}

const METHODS = new Set(['GET', 'HEAD', 'POST']);

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  res.end(JSON.stringify(body));
}

/** Refuses a request with a JSON error; the connection closes (its body, if any, is never read). */
function refuse(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { error: `board: ${message}` }, { connection: 'close', ...headers });
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE')
        reject(new ServeError(`port ${port} on ${host} is already in use: pick another with --port, or --port 0 for a free one`));
      else if (err.code === 'EACCES')
        reject(new ServeError(`no permission to listen on ${host}:${port} (ports below 1024 need privileges)`));
      else if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND')
        reject(new ServeError(`cannot listen on host '${host}': no such local address`));
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
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new ServeError(`the server did not answer ${url}: ${lastError instanceof Error ? lastError.message : String(lastError)}`);
}
