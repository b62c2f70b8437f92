import { z } from 'zod';
import { badRequest, jsonBody, name, regex, route } from '../../../lib/server/api.ts';
import type { ActiveStore } from '../../../lib/server/registry.ts';
import { exportStream } from '../../../lib/server/export.ts';
import { groupLabeler, hparamsByRun, type GroupBy } from '../../../lib/server/run-groups.ts';

export const dynamic = 'force-dynamic';

const Query = z.object({
  runs: regex.optional(),
  tags: regex.optional(),
  format: z.enum(['csv', 'json']).default('csv'),
  groupRegex: regex.optional(),
  groupHparam: name.optional(),
});

const Body = z.object({
  /** Exact run names (sweeps: thousands of them, hence a body). */
  runs: z.array(name).max(20_000).optional(),
  tags: z.array(name).max(10_000).optional(),
  format: z.enum(['csv', 'json']).default('csv'),
  group: z.union([
    z.object({ by: z.literal('regex'), pattern: regex }).strict(),
    z.object({ by: z.literal('hparam'), name }).strict(),
  ]).optional(),
}).strict();

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const exactly = (names: string[]) => new RegExp(`^(?:${names.map(escapeRe).join('|')})$`);

function groupOf(store: ActiveStore, by: GroupBy | undefined): ((run: string) => string) | undefined {
  if (!by) return undefined;
  return groupLabeler(by, by.by === 'hparam' ? hparamsByRun(store.queries.hparams().sessions) : undefined);
}

/**
 * Every scalar point (full resolution) matching the run/tag regexes, streamed as CSV or JSON; with
 * groupRegex (first capture group of the run name) or groupHparam, each row also names its run group.
 */
export const GET = route(Query, [], (store, q) => {
  if (q.groupRegex !== undefined && q.groupHparam !== undefined) return badRequest('give groupRegex or groupHparam, not both');
  const by: GroupBy | undefined = q.groupRegex !== undefined ? { by: 'regex', pattern: q.groupRegex } : q.groupHparam !== undefined ? { by: 'hparam', name: q.groupHparam } : undefined;
  return exportStream(store.queries, {
    runs: q.runs !== undefined ? new RegExp(q.runs) : undefined,
    tags: q.tags !== undefined ? new RegExp(q.tags) : undefined,
    format: q.format,
    groupOf: groupOf(store, by),
  });
});

/** The same export for exact run and tag lists (a card of a 2,000-run sweep), as same-origin JSON. */
export const POST = jsonBody(Body, (store, b) => exportStream(store.queries, {
  runs: b.runs ? exactly(b.runs) : undefined,
  tags: b.tags ? exactly(b.tags) : undefined,
  format: b.format,
  groupOf: groupOf(store, b.group),
}));
