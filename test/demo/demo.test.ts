// The demo end to end on a small subset (`--limit`), plus its flags and fallback. Kept short for CI.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseDemoArgs } from '../../lib/demo/args.ts';
import { startBoard } from '../../lib/demo/serve.ts';
import { readEventFile } from '../../lib/tfevents/index.ts';
import { REPO_ROOT } from '../helpers/shared.ts';

const run = promisify(execFile);

function eventFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...eventFiles(p));
    else if (name.includes('tfevents')) out.push(p);
  }
  return out;
}

function tagsOf(file: string): Set<string> {
  const res = readEventFile(file);
  expect(res.corrupt).toEqual([]);
  return new Set(res.values.map((v) => v.tag));
}

describe('demo flags', () => {
  it('parses the documented flags and rejects bad ones', () => {
    const o = parseDemoArgs(['--epochs', '3', '--model', 'cnn', '--optimizer=sgd', '--no-serve', '--limit', '500', '--logdir', 'x']);
    expect(o).toMatchObject({ epochs: 3, model: 'cnn', optimizer: 'sgd', serve: false, limit: 500, logdir: 'x', lr: 1e-3, batchSize: 64 });
    expect(parseDemoArgs([])).toMatchObject({ model: 'mlp', optimizer: 'adam', lr: 1e-3, batchSize: 64, serve: true, logdir: 'logs' });
    expect(() => parseDemoArgs(['--model', 'rnn'])).toThrow("--model: expected mlp or cnn, got 'rnn'");
    expect(() => parseDemoArgs(['--epochs', '0'])).toThrow("--epochs: expected an integer >= 1, got '0'");
    // '-' and '_' spellings are the same flag.
    expect(parseDemoArgs(['--batch_size', '8', '--log_every=5', '--no_serve'])).toMatchObject({ batchSize: 8, logEvery: 5, serve: false });
    expect(() => parseDemoArgs(['--frobnicate'])).toThrow("unknown option '--frobnicate'");
  });
});

describe('npm run demo', () => {
  it('trains one epoch on a subset, prints the accuracy line and writes the logs', async () => {
    const logdir = mkdtempSync(join(tmpdir(), 'board-demo-'));
    const { stdout, stderr } = await run(
      'npm',
      ['run', '--silent', 'demo', '--', '--epochs', '1', '--no-serve', '--limit', '600', '--logdir', logdir],
      { cwd: REPO_ROOT, timeout: 120_000 },
    );
    expect(stdout).toMatch(/^epoch 1 test accuracy: 0\.\d{4}/m);
    const acc = Number(/epoch 1 test accuracy: (0\.\d{4})/.exec(stdout)![1]);
    expect(acc).toBeGreaterThan(0.3); // 600 samples, one epoch: well above chance (0.1)
    expect(stderr).toMatch(/epoch 1\/1 \[#+\] 600\/600 loss \d+\.\d{4} \d+ samples\/s/);
    const files = eventFiles(logdir);
    expect(files.length).toBe(2); // the run and its hparams child run
    const main = files.find((f) => !/\/\d+\.\d+\//.test(f))!;
    const tags = tagsOf(main);
    for (const t of [
      'train/loss',
      'train/learning_rate',
      'test/loss',
      'test/accuracy',
      'samples/3x3_labelled',
      'samples/3x3',
      'train/batch',
      'weights/linear_relu_stack.0.weight',
      'grads/linear_relu_stack.0.weight',
    ]) {
      expect(tags.has(t), `missing tag ${t}`).toBe(true);
    }
    expect([...tags].some((t) => t.startsWith('summary'))).toBe(true);
    expect(readFileSync(main).includes(Buffer.from('NeuralNetwork'))).toBe(true); // the graph
    const hp = files.find((f) => f !== main)!;
    expect([...tagsOf(hp)].some((t) => t.startsWith('_hparams_'))).toBe(true);
  });

  it('falls back to the shipped subset, saying so, when Fashion-MNIST is absent', async () => {
    const logdir = mkdtempSync(join(tmpdir(), 'board-demo-'));
    const empty = mkdtempSync(join(tmpdir(), 'board-nodata-'));
    const { stdout } = await run(
      process.execPath,
      [
        resolve(REPO_ROOT, 'bin/board-demo.js'),
        '--epochs',
        '1',
        '--no-serve',
        '--limit',
        '200',
        '--logdir',
        logdir,
        '--data',
        empty,
        '--no-system-data',
        '--no-download',
      ],
      { cwd: REPO_ROOT, timeout: 120_000 },
    );
    expect(stdout).toContain('Full Fashion-MNIST not available (FashionMNIST: dataset not found.');
    expect(stdout).not.toContain('trying to download');
    expect(stdout).toContain('Falling back to the small subset that ships with Board');
    expect(stdout).toContain('sudo apt-get install dataset-fashion-mnist');
    expect(stdout).toMatch(/Data: fashion-mini subset/);
    expect(stdout).toMatch(/^epoch 1 test accuracy: 0\.\d{4}/m);
  });

  it('prints help and rejects bad usage with exit code 2', async () => {
    const { stdout } = await run(process.execPath, [resolve(REPO_ROOT, 'bin/board-demo.js'), '--help'], { cwd: REPO_ROOT });
    expect(stdout).toContain('--model mlp|cnn');
    const err = await run(process.execPath, [resolve(REPO_ROOT, 'bin/board-demo.js'), '--optimizer', 'lbfgs'], { cwd: REPO_ROOT }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect((err as { code: number }).code).toBe(2);
    expect((err as { stderr: string }).stderr).toContain("--optimizer: expected adam or sgd, got 'lbfgs'");
  });

  it('reports a board that cannot start instead of hanging', async () => {
    await expect(startBoard(join(tmpdir(), 'board-no-such-logdir-xyz'), 0, '127.0.0.1', 60_000)).rejects.toThrow(
      /board exited .*before serving[\s\S]*does not exist/,
    );
  });

  // The build-if-missing path itself is tested in test/server/web-build.test.ts.
});
