// Child-process side of synchronous dataset downloads: dataset constructors are synchronous (as
// torchvision's), so they run this script with spawnSync. Progress goes to the inherited stderr;
// the outcome is one JSON line on stdout.
import { join } from 'node:path';
import { downloadFromMirrors } from './download.ts';

interface Job {
  mirrors: string[];
  files: Array<[string, string | undefined]>;
  dir: string;
  timeoutMs?: number;
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? '{}') as Job;
  try {
    for (const [file, md5] of job.files)
      await downloadFromMirrors(job.mirrors, file, join(job.dir, file), md5, { timeoutMs: job.timeoutMs });
    process.stdout.write(JSON.stringify({ ok: true }) + '\n');
  } catch (e) {
    process.stdout.write(JSON.stringify({ ok: false, message: (e as Error).message }) + '\n');
  }
}

void main();
