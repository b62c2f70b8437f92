import { z } from 'zod';
import { json, name, route } from '../../../lib/server/api.ts';
import { renderMarkdown } from '../../../lib/server/markdown.ts';
import { evenlySample } from '../../../lib/server/sample-caps.ts';

export const dynamic = 'force-dynamic';

/** Text summaries of one (run, tag), as sanitized HTML rendered from markdown. */
export const GET = route(z.object({ run: name, tag: name }), [], async (store, q) => {
  const entries = evenlySample(await store.queries.text(q.run, q.tag), store.caps.text);
  return json({
    run: q.run,
    tag: q.tag,
    entries: entries.map((e) => ({ step: e.step, wallTime: e.wallTime, html: renderMarkdown(e.text) })),
  });
});
