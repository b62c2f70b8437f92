'use client';
// Text: markdown rendered on the server and sanitized there (no script, no event handlers, no
// javascript: URLs); shown newest step first.
import { query, useApi } from './api.ts';
import { runColor } from './colors.ts';
import { CardBoundary } from './error-boundary.tsx';
import { useSeenOnce } from './in-view.ts';
import { useChangeCounter } from './live.ts';
import { tagsOfKind, useRuns } from './runs-context.tsx';

type TextResp = { entries: Array<{ step: number; wallTime: number | null; html: string }> };

export function TextDashboard() {
  const state = useRuns();
  const tagMap = tagsOfKind(state, ['text']);
  return (
    <div>
      {state.loading && state.tags.length === 0 ? (
        <div className="empty" aria-busy="true">
          Loading…
        </div>
      ) : tagMap.size === 0 ? (
        <div className="empty">No text summaries in the selected runs.</div>
      ) : null}
      {[...tagMap.entries()].map(([tag, runs]) => (
        <details key={tag} className="group" open>
          <summary>{tag}</summary>
          <div className="cards">
            {runs.map((run) => (
              <CardBoundary key={run} label={run}>
                <TextCard run={run} tag={tag} />
              </CardBoundary>
            ))}
          </div>
        </details>
      ))}
    </div>
  );
}

function TextCard({ run, tag }: { run: string; tag: string }) {
  const [ref, seen] = useSeenOnce<HTMLDivElement>();
  const refresh = useChangeCounter((c) => c.type === 'data' && c.run === run && c.tag === tag);
  const { data, error } = useApi<TextResp>(seen ? query('/api/text', { run, tag }) : null, refresh);
  const entries = [...(data?.entries ?? [])].reverse();
  return (
    <div ref={ref} className="card" data-testid="text-card" data-run={run} data-tag={tag}>
      <div className="card-head">
        <span className="swatch" style={{ background: runColor(run) }} />
        <span className="card-title">{run}</span>
      </div>
      {error ? (
        <div className="error-text" role="alert">
          {error.message}
        </div>
      ) : !data ? (
        <div className="muted">Loading…</div>
      ) : null}
      {entries.slice(0, 50).map((e, i) => (
        <div key={i} className="text-entry">
          <div className="meta">step {e.step}</div>
          {/* html comes from the server's sanitizer (lib/server/markdown.ts) */}
          <div className="markdown" dangerouslySetInnerHTML={{ __html: e.html }} />
        </div>
      ))}
      {entries.length > 50 && <div className="meta">{entries.length - 50} older entries not shown</div>}
    </div>
  );
}
