// Locates the optional ../shared folder (oracle, corpus, tools). Users' clones do not have it;
// tests over it run when it is present and say plainly when it is not.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
export const SHARED_DIR = process.env.BOARD_SHARED_DIR ?? resolve(REPO_ROOT, '../shared');
export const HAS_SHARED = existsSync(resolve(SHARED_DIR, 'testdata/tfevents/EXPECTED.json'));
export const FIXTURES = resolve(REPO_ROOT, 'test/fixtures');

/** Call at module level in a test file that needs ../shared; logs why it is skipped otherwise. */
export function sharedOrSkipNotice(what: string): boolean {
  if (!HAS_SHARED)
    console.warn(`[board tests] ${SHARED_DIR} not found: skipping ${what} (only the fixtures copied into test/fixtures run).`);
  return HAS_SHARED;
}
