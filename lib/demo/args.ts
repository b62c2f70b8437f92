// Flags of `npm run demo` (bin/board-demo.js), parsed with the CLI's shared parser.
import { choiceFlag, intFlag, parseFlags, UsageError, type FlagDefs } from '../cli/args.ts';

export interface DemoOptions {
  epochs: number;
  model: 'mlp' | 'cnn';
  optimizer: 'adam' | 'sgd';
  lr: number;
  batchSize: number;
  logdir: string;
  serve: boolean;
  /** Use at most N training samples (and N test samples); 0 = all. For tests and quick looks. */
  limit: number;
  /** Log the training loss every N steps. */
  logEvery: number;
  seed: number;
  /** Dataset root searched before the system-wide install. */
  data: string;
  /** Skip /usr/share/datasets (forces the fallback when `data` has nothing). */
  systemData: boolean;
  /** Try to download Fashion-MNIST when it is not found locally. */
  download: boolean;
  port: number;
  host: string;
  numWorkers: number;
  help: boolean;
}

export const DEMO_HELP = `Train the tutorial's Fashion-MNIST classifier with Board's engine and watch it in the board.

Usage: npm run demo -- [OPTIONS]

Options:
  --epochs N           epochs to train [default: 5]
  --model mlp|cnn      the tutorial's MLP (784-512-512-10) or a small CNN [default: mlp]
  --optimizer adam|sgd [default: adam]
  --lr X               learning rate [default: 1e-3]
  --batch-size N       [default: 64]
  --logdir DIR         where runs are written (one sub-folder per run) [default: logs]
  --no-serve           do not start the board; exit after training
  --port N             board port (0 = any free port) [default: 6006]
  --host ADDR          board address [default: 127.0.0.1]
  --limit N            train on at most N samples and test on at most N (0 = all) [default: 0]
  --log-every N        log the training loss every N steps [default: 100]
  --seed N             seed for weights and shuffling [default: 0]
  --data DIR           dataset root searched first [default: data]
  --no-system-data     do not look in /usr/share/datasets/fashion-mnist
  --no-download        do not try to download Fashion-MNIST when it is not found
  --workers N          DataLoader worker threads [default: 0]
  -h, --help           print this help

Flags may be written with '-' or '_' (--batch-size or --batch_size).
Exit status: 0 on success, 1 on failure, 2 on bad usage.
`;

/** The demo's flags ('_' names; the help shows the '-' spellings, and both are accepted). */
export const DEMO_FLAGS = {
  epochs: { type: 'string' },
  model: { type: 'string' },
  optimizer: { type: 'string' },
  lr: { type: 'string' },
  batch_size: { type: 'string' },
  logdir: { type: 'string' },
  no_serve: { type: 'boolean' },
  port: { type: 'string' },
  host: { type: 'string' },
  limit: { type: 'string' },
  log_every: { type: 'string' },
  seed: { type: 'string' },
  data: { type: 'string' },
  no_system_data: { type: 'boolean' },
  no_download: { type: 'boolean' },
  workers: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies FlagDefs;

function nonEmpty(flag: string, raw: string, what: string): string {
  if (!raw) throw new UsageError(`--${flag} wants ${what}`);
  return raw;
}

export function parseDemoArgs(argv: string[]): DemoOptions {
  const { values: v } = parseFlags(argv, DEMO_FLAGS, { hint: 'see --help' });
  const lr = v.lr === undefined ? 1e-3 : Number(v.lr);
  if (!(lr > 0)) throw new UsageError(`--lr: expected a positive number, got '${v.lr}'`);
  return {
    epochs: v.epochs === undefined ? 5 : intFlag('epochs', v.epochs, 1),
    model: v.model === undefined ? 'mlp' : choiceFlag('model', v.model, ['mlp', 'cnn'] as const),
    optimizer: v.optimizer === undefined ? 'adam' : choiceFlag('optimizer', v.optimizer, ['adam', 'sgd'] as const),
    lr,
    batchSize: v.batch_size === undefined ? 64 : intFlag('batch-size', v.batch_size, 1),
    logdir: v.logdir === undefined ? 'logs' : nonEmpty('logdir', v.logdir, 'a directory'),
    serve: !v.no_serve,
    limit: v.limit === undefined ? 0 : intFlag('limit', v.limit, 0),
    logEvery: v.log_every === undefined ? 100 : intFlag('log-every', v.log_every, 1),
    seed: v.seed === undefined ? 0 : intFlag('seed', v.seed, 0),
    data: v.data === undefined ? 'data' : nonEmpty('data', v.data, 'a directory'),
    systemData: !v.no_system_data,
    download: !v.no_download,
    port: v.port === undefined ? 6006 : intFlag('port', v.port, 0, 65535),
    host: v.host === undefined ? '127.0.0.1' : nonEmpty('host', v.host, 'an address'),
    numWorkers: v.workers === undefined ? 0 : intFlag('workers', v.workers, 0),
    help: v.help ?? false,
  };
}
