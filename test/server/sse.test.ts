// Finding 9 (issue 10): the SSE feed bounds what it holds for a client. A connection cap (503),
// a per-client byte cap (a client that does not read is dropped), and a stall timeout (a client
// whose queue does not move is dropped even under the byte cap). Real sockets on loopback.
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { createEventFeed, DEFAULT_EVENT_FEED_LIMITS, type EventFeed, type EventFeedLimits } from '../../lib/server/sse.ts';
import type { ActiveStore } from '../../lib/server/registry.ts';
import type { StoreChange } from '../../lib/store/types.ts';

function controllableStore(): ActiveStore & { emit(c: StoreChange): void; listeners(): number } {
  const listeners = new Set<(c: StoreChange) => void>();
  return {
    queries: {} as ActiveStore['queries'],
    onChange: (l) => {
      listeners.add(l);
      return () => {
        listeners.delete(l);
      };
    },
    deleteRun: () => {},
    caps: {},
    logdir: '',
    version: 'test',
    emit: (c) => {
      for (const l of [...listeners]) l(c);
    },
    listeners: () => listeners.size,
  };
}

let server: Server | undefined;
let feed: EventFeed | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  feed?.close();
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
  feed = undefined;
});

async function start(limits: Partial<EventFeedLimits>) {
  const store = controllableStore();
  feed = createEventFeed(store, limits);
  const f = feed;
  server = createServer((req, res) => f.serve(req, res));
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
  return { store, feed: f, port: (server.address() as AddressInfo).port };
}

/** A raw client that sends the request and then never reads (a paused socket with a tiny receive window). */
function deafClient(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1' }, () => {
      s.write('GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      s.pause();
      resolve(s);
    });
    s.on('error', reject);
    sockets.push(s);
  });
}

function get(port: number): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request({ port, host: '127.0.0.1', path: '/api/events' }, resolve);
    req.on('error', reject);
    req.end();
  });
}

const until = async (cond: () => boolean, ms: number) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

const bigChange = (i: number): StoreChange => ({ type: 'data', run: `run_${i}_${'x'.repeat(4000)}`, tag: 't', kind: 'scalar', maxStep: i });

describe('SSE limits', () => {
  test('defaults are bounded', () => {
    expect(DEFAULT_EVENT_FEED_LIMITS).toEqual({ maxClients: 256, maxBufferedBytes: 1024 * 1024, stallMs: 60_000, heartbeatMs: 15_000 });
  });

  test('a client that does not read is dropped once its queue passes the byte cap; memory stays bounded', async () => {
    const cap = 256 * 1024;
    const { store, feed: f, port } = await start({ maxBufferedBytes: cap, stallMs: 60_000 });
    await deafClient(port);
    const reader = await get(port); // a normal client on the same feed keeps receiving
    let got = 0;
    reader.on('data', (d: Buffer) => {
      got += d.length;
    });
    await until(() => f.clientCount() === 2, 5000);
    // 40 MB of changes: far past what the kernel's socket buffers absorb.
    for (let i = 0; i < 10_000 && f.clientCount() === 2; i++) {
      store.emit(bigChange(i));
      if (i % 50 === 0) await new Promise((r) => setImmediate(r));
    }
    await until(() => f.dropped.buffer === 1, 10_000);
    expect(f.clientCount()).toBe(1);
    expect(store.listeners()).toBe(1); // the dropped client's subscription is gone
    // The reader still gets what comes next.
    const before = got;
    store.emit(bigChange(-1));
    await until(() => got > before, 5000);
  }, 30_000);

  test('a client whose queue stops moving is dropped after the stall timeout, under the byte cap', async () => {
    const { store, feed: f, port } = await start({ maxBufferedBytes: 64 * 1024 * 1024, stallMs: 400, heartbeatMs: 100 });
    await deafClient(port);
    await until(() => f.clientCount() === 1, 5000);
    // Fill the kernel buffers so something stays queued in the server, then stop sending.
    for (let i = 0; i < 3000 && f.clientCount() === 1; i++) {
      store.emit(bigChange(i));
      if (i % 50 === 0) await new Promise((r) => setImmediate(r));
    }
    await until(() => f.dropped.stall === 1, 10_000);
    expect(f.dropped.buffer).toBe(0);
    expect(f.clientCount()).toBe(0);
    expect(store.listeners()).toBe(0);
  }, 30_000);

  test('a reading client on a quiet feed is not dropped (heartbeats drain)', async () => {
    const { feed: f, port } = await start({ stallMs: 300, heartbeatMs: 50 });
    const res = await get(port);
    let text = '';
    res.on('data', (d: Buffer) => {
      text += d.toString();
    });
    await new Promise((r) => setTimeout(r, 1200));
    expect(f.clientCount()).toBe(1);
    expect(f.dropped).toEqual({ buffer: 0, stall: 0, refused: 0 });
    expect(text).toMatch(/^retry: 1000\nevent: hello\n/);
    expect(text).toContain(': ping');
  });

  test('connections past the cap get a 503 that names the limit; a closed one frees its slot', async () => {
    const { feed: f, port } = await start({ maxClients: 3 });
    const open = await Promise.all([get(port), get(port), get(port)]);
    expect(open.map((r) => r.statusCode)).toEqual([200, 200, 200]);
    const refused = await get(port);
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['retry-after']).toBe('5');
    const body = await new Promise<string>((r) => {
      let b = '';
      refused.on('data', (d) => {
        b += d;
      });
      refused.on('end', () => r(b));
    });
    expect(JSON.parse(body).error).toMatch(/limit 3/);
    open[0]!.destroy();
    await until(() => f.clientCount() === 2, 5000);
    expect((await get(port)).statusCode).toBe(200);
    expect(f.dropped.refused).toBe(1);
  });
});
