// Server-Sent Events endpoint (/api/events): pushes the ingester's change feed to browsers.
// Served by the custom HTTP server itself rather than a Next route handler, so a change reaches
// the socket with no framework buffering in between (the live-latency budget is 300 ms).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StoreChange } from '../store/types.ts';
import type { ActiveStore } from './registry.ts';

const HEARTBEAT_MS = 15_000;

export function serveEvents(req: IncomingMessage, res: ServerResponse, store: ActiveStore): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method !== 'GET') { res.writeHead(405, { allow: 'GET' }).end(); return; }
  if ([...url.searchParams.keys()].length > 0) {
    res.writeHead(400, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: '/api/events takes no query parameters' }));
    return;
  }
  req.socket.setNoDelay(true);
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.write(`retry: 1000\nevent: hello\ndata: ${JSON.stringify({ version: store.version })}\n\n`);
  const unsubscribe = store.onChange((change: StoreChange) => {
    res.write(`data: ${JSON.stringify(change)}\n\n`);
  });
  const heartbeat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
  heartbeat.unref();
  const stop = () => { clearInterval(heartbeat); unsubscribe(); };
  req.on('close', stop);
  res.on('error', stop);
}
