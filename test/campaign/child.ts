// Child processes of the campaigns: each fixture is bundled once with esbuild (it comes with tsx),
// which starts several times faster than tsx on a loaded machine; tsx is the fallback.
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../helpers/shared.ts';

const built: string[] = [];

/** node arguments that run `fixture` (a path under test/campaign/fixtures). */
export async function childArgs(fixture: string): Promise<string[]> {
  const src = resolve(import.meta.dirname, 'fixtures', fixture);
  try {
    const { build } = await import('esbuild');
    const out = join(REPO_ROOT, 'test/artifacts', `${fixture.replace(/\W+/g, '-')}-${process.pid}.mjs`);
    mkdirSync(join(REPO_ROOT, 'test/artifacts'), { recursive: true });
    await build({
      entryPoints: [src],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: out,
      logLevel: 'error',
      conditions: ['board-source'],
      packages: 'external',
    });
    built.push(out);
    return [out];
  } catch {
    return ['--import', 'tsx', '--conditions=board-source', src];
  }
}

/** node arguments that preload `fixture` (`--import`) into a process, e.g. a board under test. */
export async function preloadArgs(fixture: string): Promise<string[]> {
  const args = await childArgs(fixture);
  return args.length === 1 ? ['--import', pathToFileURL(args[0]!).href] : ['--import', 'tsx', '--import', pathToFileURL(args.at(-1)!).href];
}

export function removeBuiltChildren(): void {
  for (const f of built.splice(0)) rmSync(f, { force: true });
}
