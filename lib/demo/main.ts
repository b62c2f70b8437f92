// `npm run demo`: trains the tutorial's Fashion-MNIST model with Board's engine (lib/demo/train.ts)
// and serves the board on the logdir so the run can be watched live. The engine is loaded only
// when training starts, so --help and usage errors answer at once.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { runCommand } from '../cli/args.ts';
import { DEMO_HELP, parseDemoArgs } from './args.ts';
import type { DemoOptions } from './args.ts';
import { ensureWebBuild, startBoard } from './serve.ts';
import type { BoardChild } from './serve.ts';

function waitForSignal(): Promise<void> {
  return new Promise((done) => {
    process.once('SIGINT', () => done());
    process.once('SIGTERM', () => done());
  });
}

export async function main(argv: string[]): Promise<number> {
  return runCommand('board-demo', () => demo(parseDemoArgs(argv)));
}

async function demo(o: DemoOptions): Promise<number> {
  if (o.help) {
    process.stdout.write(DEMO_HELP);
    return 0;
  }
  mkdirSync(o.logdir, { recursive: true });
  let board: BoardChild | null = null;
  if (o.serve) {
    try {
      await ensureWebBuild({ log: console.log });
      board = await startBoard(o.logdir, o.port, o.host);
      console.log(`Board is serving ${resolve(o.logdir)} at ${board.url} : open it to watch training live.`);
    } catch (e) {
      console.error(
        `board-demo: could not start the board (${(e as Error).message}); training anyway. Run \`npx board --logdir ${o.logdir}\` to look at the logs.`,
      );
    }
  }
  try {
    const { trainDemo } = await import('./train.ts');
    await trainDemo(o);
  } catch (e) {
    if (board) await board.stop();
    throw e;
  }
  if (board) {
    console.log(`Training finished. The board keeps serving at ${board.url} (Ctrl-C to stop).`);
    await waitForSignal();
    await board.stop();
  }
  return 0;
}
