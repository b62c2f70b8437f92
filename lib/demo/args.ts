// Flags of `npm run demo` (bin/board-demo.js).

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
`;

export class DemoUsageError extends Error {}

export function parseDemoArgs(argv: string[]): DemoOptions {
  const o: DemoOptions = {
    epochs: 5,
    model: 'mlp',
    optimizer: 'adam',
    lr: 1e-3,
    batchSize: 64,
    logdir: 'logs',
    serve: true,
    limit: 0,
    logEvery: 100,
    seed: 0,
    data: 'data',
    systemData: true,
    download: true,
    port: 6006,
    host: '127.0.0.1',
    numWorkers: 0,
    help: false,
  };
  const args = [...argv];
  const int = (flag: string, v: string | undefined, min: number): number => {
    const n = Number(v);
    if (v === undefined || !Number.isInteger(n) || n < min) throw new DemoUsageError(`${flag} wants an integer >= ${min}, got ${v ?? 'nothing'}`);
    return n;
  };
  while (args.length > 0) {
    const raw = args.shift()!;
    const eq = raw.indexOf('=');
    const flag = raw.startsWith('--') && eq > 0 ? raw.slice(0, eq) : raw;
    const value = (): string | undefined => (raw.startsWith('--') && eq > 0 ? raw.slice(eq + 1) : args.shift());
    switch (flag) {
      case '--epochs':
        o.epochs = int(flag, value(), 1);
        break;
      case '--model': {
        const v = value();
        if (v !== 'mlp' && v !== 'cnn') throw new DemoUsageError(`--model wants mlp or cnn, got ${v ?? 'nothing'}`);
        o.model = v;
        break;
      }
      case '--optimizer': {
        const v = value();
        if (v !== 'adam' && v !== 'sgd') throw new DemoUsageError(`--optimizer wants adam or sgd, got ${v ?? 'nothing'}`);
        o.optimizer = v;
        break;
      }
      case '--lr': {
        const v = value();
        const n = Number(v);
        if (v === undefined || !(n > 0)) throw new DemoUsageError(`--lr wants a positive number, got ${v ?? 'nothing'}`);
        o.lr = n;
        break;
      }
      case '--batch-size':
        o.batchSize = int(flag, value(), 1);
        break;
      case '--logdir': {
        const v = value();
        if (!v) throw new DemoUsageError('--logdir wants a directory');
        o.logdir = v;
        break;
      }
      case '--no-serve':
        o.serve = false;
        break;
      case '--port':
        o.port = int(flag, value(), 0);
        break;
      case '--host': {
        const v = value();
        if (!v) throw new DemoUsageError('--host wants an address');
        o.host = v;
        break;
      }
      case '--limit':
        o.limit = int(flag, value(), 0);
        break;
      case '--log-every':
        o.logEvery = int(flag, value(), 1);
        break;
      case '--seed':
        o.seed = int(flag, value(), 0);
        break;
      case '--data': {
        const v = value();
        if (!v) throw new DemoUsageError('--data wants a directory');
        o.data = v;
        break;
      }
      case '--no-system-data':
        o.systemData = false;
        break;
      case '--no-download':
        o.download = false;
        break;
      case '--workers':
        o.numWorkers = int(flag, value(), 0);
        break;
      case '-h':
      case '--help':
        o.help = true;
        break;
      default:
        throw new DemoUsageError(`unknown option ${raw} (see --help)`);
    }
  }
  return o;
}
