import { z } from 'zod';
import { badRequest, jsonBody, name, pattern, route } from '../../../lib/server/api.ts';
import type { ActiveStore } from '../../../lib/server/registry.ts';
import { exportStream } from '../../../lib/server/export.ts';
import { groupLabeler, hparamsByRun, type GroupBy } from '../../../lib/server/run-groups.ts';
import { MAX_PATTERN_LENGTH } from '../../../lib/pattern.ts';

export const dynamic = 'force-dynamic';

/** A group pattern: RE2 syntax, checked when the labeler compiles it. */
const groupPattern = z.string().min(1).max(MAX_PATTERN_LENGTH);

const Query = z.object({
  runs: pattern.optional(),
  tags: pattern.optional(),
  format: z.enum(['csv', 'json']).default('csv'),
  groupRegex: groupPattern.optional(),
  groupHparam: name.optional(),
});

const Body = z
  .object({
    /** Exact run names (sweeps: thousands of them, hence a body). */
    runs: z.array(name).max(20_000).optional(),
    tags: z.array(name).max(10_000).optional(),
    format: z.enum(['csv', 'json']).default('csv'),
    group: z
      .union([z.object({ by: z.literal('regex'), pattern: groupPattern }).strict(), z.object({ by: z.literal('hparam'), name }).strict()])
      .optional(),
  })
  .strict();

const exactly = (names: string[]) => {
  const set = new Set(names);
  return { test: (n: string) => set.has(n) };
};

async function groupOf(store: ActiveStore, by: GroupBy | undefined): Promise<((run: string) => string) | undefined> {
  if (!by) return undefined;
  return groupLabeler(by, by.by === 'hparam' ? hparamsByRun((await store.queries.hparams()).sessions) : undefined);
}

/** The labeler, or a 400 naming the bad group pattern. */
async function labelerOr400(store: ActiveStore, by: GroupBy | undefined): Promise<((run: string) => string) | undefined | Response> {
  try {
    return await groupOf(store, by);
  } catch (err) {
    return badRequest(`group pattern: ${(err as Error).message}`);
  }
}

/**
 * Every scalar point (full resolution) matching the run/tag patterns (RE2 syntax), streamed as CSV
 * or JSON; with groupRegex (first capture group of the run name) or groupHparam, each row also
 * names its run group.
 */
export const GET = route(Query, [], async (store, q) => {
  if (q.groupRegex !== undefined && q.groupHparam !== undefined) return badRequest('give groupRegex or groupHparam, not both');
  const by: GroupBy | undefined =
    q.groupRegex !== undefined
      ? { by: 'regex', pattern: q.groupRegex }
      : q.groupHparam !== undefined
        ? { by: 'hparam', name: q.groupHparam }
        : undefined;
  const label = await labelerOr400(store, by);
  if (label instanceof Response) return label;
  return exportStream(store.queries, { runs: q.runs, tags: q.tags, format: q.format, groupOf: label });
});

/** The same export for exact run and tag lists (a card of a 2,000-run sweep), as same-origin JSON. */
export const POST = jsonBody(Body, async (store, b) => {
  const label = await labelerOr400(store, b.group);
  if (label instanceof Response) return label;
  return exportStream(store.queries, {
    runs: b.runs ? exactly(b.runs) : undefined,
    tags: b.tags ? exactly(b.tags) : undefined,
    format: b.format,
    groupOf: label,
  });
});
