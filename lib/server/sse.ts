// Server-Sent Events endpoint (/api/events): pushes the ingester's change feed to browsers.
// Served by the custom HTTP server itself rather than a Next route handler, so a change reaches
// the socket with no framework buffering in between (the live-latency budget is 300 ms).
//
// Limits, because a client that never reads would otherwise grow server memory without bound:
// - at most `maxClients` open streams (503 with Retry-After beyond that);
// - at most `maxBufferedBytes` queued for one client: past that it is disconnected (a browser's
//   EventSource reconnects and the UI refetches, so a slow tab loses nothing);
// - a client whose queue has not moved for `stallMs` is disconnected even under the byte cap
//   (a reader that stopped, on a quiet feed where only heartbeats are queued);
// - a heartbeat every `heartbeatMs` keeps proxies from closing a quiet stream and lets the
//   stall check see dead peers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StoreChange } from '../store/types.ts';
import type { ActiveStore } from './registry.ts';

export interface EventFeedLimits {
  maxClients: number;
  maxBufferedBytes: number;
  stallMs: number;
  heartbeatMs: number;
}

export const DEFAULT_EVENT_FEED_LIMITS: EventFeedLimits = {
  maxClients: 256,
  maxBufferedBytes: 1024 * 1024,
  stallMs: 60_000,
  heartbeatMs: 15_000,
};

export interface EventFeed {
  serve(req: IncomingMessage, res: ServerResponse): void;
  /** Open streams now. */
  clientCount(): number;
  /** Streams closed by a limit since start, by reason. */
  dropped: { buffer: number; stall: number; refused: number };
  close(): void;
}

interface Client {
  res: ServerResponse;
  /** Bytes handed to res.write; minus what is still queued, that is what the peer has taken. */
  written: number;
  lastSent: number;
  stalledSince: number | null;
  stop(): void;
}

export function createEventFeed(store: ActiveStore, overrides: Partial<EventFeedLimits> = {}): EventFeed {
  const limits = { ...DEFAULT_EVENT_FEED_LIMITS, ...overrides };
  const clients = new Set<Client>();
  const dropped = { buffer: 0, stall: 0, refused: 0 };

  /** Writes unless the client's queue is over the cap; then drops the client. */
  const send = (c: Client, text: string): void => {
    if (c.res.writableLength + Buffer.byteLength(text) > limits.maxBufferedBytes) {
      dropped.buffer++;
      c.stop();
      c.res.destroy();
      return;
    }
    c.written += Buffer.byteLength(text);
    c.res.write(text);
  };

  // One timer for all clients: heartbeats and the stall check.
  let lastHeartbeat = Date.now();
  const tick = setInterval(
    () => {
      const now = Date.now();
      const heartbeat = now - lastHeartbeat >= limits.heartbeatMs;
      if (heartbeat) lastHeartbeat = now;
      for (const c of [...clients]) {
        // Queued bytes include chunked-encoding framing that `written` does not count, so a stalled
        // queue makes `sent` drift down a little with each heartbeat: progress means it grew.
        const sent = c.written - c.res.writableLength;
        if (c.res.writableLength > 0 && sent <= c.lastSent) {
          c.stalledSince ??= now;
          if (now - c.stalledSince >= limits.stallMs) {
            dropped.stall++;
            c.stop();
            c.res.destroy();
            continue;
          }
        } else {
          c.stalledSince = null;
          c.lastSent = sent;
        }
        if (heartbeat) send(c, ': ping\n\n');
      }
    },
    Math.min(limits.heartbeatMs, Math.max(50, limits.stallMs / 4)),
  );
  tick.unref();

  return {
    dropped,
    clientCount: () => clients.size,
    close() {
      clearInterval(tick);
      for (const c of [...clients]) {
        c.stop();
        c.res.destroy();
      }
    },
    serve(req, res) {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (req.method !== 'GET') {
        res
          .writeHead(405, { allow: 'GET', 'content-type': 'application/json' })
          .end(JSON.stringify({ error: '/api/events answers GET only' }));
        return;
      }
      if ([...url.searchParams.keys()].length > 0) {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: '/api/events takes no query parameters' }));
        return;
      }
      if (clients.size >= limits.maxClients) {
        dropped.refused++;
        res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '5' });
        res.end(JSON.stringify({ error: `too many live-update streams open (limit ${limits.maxClients}); close some board tabs` }));
        return;
      }
      req.socket.setNoDelay(true);
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      let unsubscribe = () => {};
      const client: Client = {
        res,
        written: 0,
        lastSent: 0,
        stalledSince: null,
        stop: () => {
          if (clients.delete(client)) unsubscribe();
        },
      };
      clients.add(client);
      send(client, `retry: 1000\nevent: hello\ndata: ${JSON.stringify({ version: store.version })}\n\n`);
      unsubscribe = store.onChange((change: StoreChange) => send(client, `data: ${JSON.stringify(change)}\n\n`));
      req.on('close', () => client.stop());
      res.on('close', () => client.stop());
      res.on('error', () => client.stop());
    },
  };
}
