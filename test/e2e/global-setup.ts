// vitest globalSetup: makes sure the Next.js production build the e2e tests serve is present and
// newer than the app sources, through the same build-if-missing path as `board serve` and the demo
// (lib/server/web-build.ts). CI runs `npm run build:web` first (then this is a no-op); a fresh
// clone's `npm test` builds here. Skipped when the run is filtered to non-e2e tests.
import { ensureWebBuild } from '../../lib/server/web-build.ts';

/** True unless vitest was given file filters and none of them points at the e2e tests. */
function runIncludesE2e(): boolean {
  const args = process.argv.slice(2).filter((a) => !a.startsWith('-') && !['run', 'watch', 'related', 'bench'].includes(a));
  if (args.length === 0) return true;
  return args.some((a) => a.includes('e2e') || a.includes('campaign') || a === 'test' || a === 'test/');
}

export default async function setup(): Promise<void> {
  if (process.env.BOARD_SKIP_WEB_BUILD === '1' || !runIncludesE2e()) return;
  await ensureWebBuild({ rebuildStale: true, verbose: true, log: (line) => console.log(`[board e2e] ${line}`) });
}
