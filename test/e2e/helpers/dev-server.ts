// Serves the built app over the fake store: `npx tsx --conditions=board-source test/e2e/helpers/dev-server.ts [port]`.
import { resolve } from 'node:path';
import { startBoardServer } from '../../../lib/server/http.ts';
import { fakeStore } from './fake-store.ts';

const store = fakeStore({ runs: Number(process.env.RUNS ?? 4), tags: Number(process.env.TAGS ?? 6), liveMs: 1000 });
const server = await startBoardServer({
  appDir: resolve(import.meta.dirname, '../../..'),
  host: '127.0.0.1',
  port: Number(process.argv[2] ?? 0),
  store,
});
console.log(`fake board at ${server.url}`);
process.on('SIGINT', () => {
  store.stop();
  void server.close().then(() => process.exit(0));
});
