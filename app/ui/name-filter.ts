// A user's name filter (run filter, tag filter) compiled once, shared by client components and the
// server-rendered page (which must pick the same runs and tags the client will).
import { compilePattern, type NameFilter } from '../../lib/pattern.ts';

/**
 * Compiles a user filter (case-insensitive) with the server's RE2 syntax and linear-time matcher
 * (lib/pattern.ts), so a pattern that works here works in the export too; null for empty, and an
 * error message instead of a throw for bad ones.
 */
export function compileFilter(source: string): { re: NameFilter | null; error: string | null } {
  if (!source) return { re: null, error: null };
  try {
    return { re: compilePattern(source, { ignoreCase: true }), error: null };
  } catch (err) {
    return { re: null, error: (err as Error).message };
  }
}
