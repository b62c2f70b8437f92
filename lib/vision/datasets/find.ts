// Locating dataset files: the user's root first, then system-wide installs (Debian's
// dataset-fashion-mnist puts Fashion-MNIST in /usr/share/datasets/fashion-mnist), and a
// synchronous download (a child process) when asked.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';

/** Returns the first existing path among `dirs` x (`name`, `name.gz`). */
export function findFile(dirs: readonly string[], name: string): string | null {
  for (const d of dirs) {
    for (const candidate of [join(d, name), join(d, `${name}.gz`), join(d, name.replace(/\.gz$/, ''))]) {
      if (existsSync(candidate)) return candidate;
    }
  }
  return null;
}

export interface DownloadJob {
  mirrors: readonly string[];
  files: ReadonlyArray<readonly [string, string | undefined]>;
  dir: string;
  timeoutMs?: number;
}

/** Runs the download in a child process and waits for it (dataset constructors are synchronous). */
export function downloadSync(job: DownloadJob): void {
  const here = import.meta.url;
  const ts = here.endsWith('.ts');
  const script = fileURLToPath(new URL(`./download-cli.${ts ? 'ts' : 'js'}`, here));
  const args: string[] = [];
  if (ts) {
    const require = createRequire(here);
    args.push('--import', `file://${require.resolve('tsx')}`);
  }
  args.push(script, JSON.stringify({ ...job, dir: resolve(job.dir) }));
  const res = spawnSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  const line = (res.stdout ?? '').trim().split('\n').pop() ?? '';
  let outcome: { ok: boolean; message?: string } | null = null;
  try {
    outcome = JSON.parse(line);
  } catch {
    outcome = null;
  }
  if (!outcome) throw new Error(`download helper failed (exit code ${res.status ?? res.signal}): ${res.error?.message ?? line}`);
  if (!outcome.ok) throw new Error(outcome.message);
}
