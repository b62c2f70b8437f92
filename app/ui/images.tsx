'use client';
// Images: per tag, a grid of cards, one per selected run. Each card has its own step slider; the
// global slider links every card to one step (the latest image at or before it). Batches written
// by addImages (several images in one event) are shown as their grid.
import { useMemo, useState } from 'react';
import type { ImageEntry, ImageSeries } from '../../lib/store/types.ts';
import { query, useApi } from './api.ts';
import { runColor } from './colors.ts';
import { CardBoundary } from './error-boundary.tsx';
import { useSeenOnce } from './in-view.ts';
import { useChangeCounter } from './live.ts';
import { tagsOfKind, useRuns } from './runs-context.tsx';
import { boolParam, numParam, setParams, useParams } from './url-state.ts';

interface View {
  linkedStep: number | null;
  brightness: number;
  contrast: number;
  actual: boolean;
}

export function ImagesDashboard() {
  const state = useRuns();
  const params = useParams();
  const tagMap = tagsOfKind(state, ['image']);
  const range = useMemo(() => {
    let lo = Infinity,
      hi = -Infinity;
    for (const t of state.tags)
      if (t.kind === 'image') {
        lo = Math.min(lo, Number(t.minStep));
        hi = Math.max(hi, Number(t.maxStep));
      }
    return Number.isFinite(lo) ? ([lo, hi] as const) : null;
  }, [state.tags]);
  const view: View = {
    linkedStep: params.has('istep') ? numParam(params, 'istep', 0, -Infinity, Infinity) : null,
    brightness: numParam(params, 'bright', 1, 0, 4),
    contrast: numParam(params, 'contrast', 1, 0, 4),
    actual: boolParam(params, 'actual'),
  };
  return (
    <div>
      <div className="toolbar" role="toolbar" aria-label="Image settings">
        <label>
          <input
            type="checkbox"
            checked={view.linkedStep !== null}
            onChange={(e) => setParams({ istep: e.target.checked ? String(range?.[1] ?? 0) : null })}
          />{' '}
          Link steps
        </label>
        {view.linkedStep !== null && range && (
          <label className="slider" style={{ minWidth: 260 }}>
            Step
            <input
              type="range"
              min={range[0]}
              max={range[1]}
              value={view.linkedStep}
              onChange={(e) => setParams({ istep: e.target.value })}
              aria-label="Linked step for all images"
            />
            <span>{view.linkedStep}</span>
          </label>
        )}
        <label>
          Brightness{' '}
          <input
            type="range"
            min={0}
            max={3}
            step={0.05}
            value={view.brightness}
            onChange={(e) => setParams({ bright: e.target.value === '1' ? null : e.target.value })}
            aria-label="Brightness"
          />
        </label>
        <label>
          Contrast{' '}
          <input
            type="range"
            min={0}
            max={3}
            step={0.05}
            value={view.contrast}
            onChange={(e) => setParams({ contrast: e.target.value === '1' ? null : e.target.value })}
            aria-label="Contrast"
          />
        </label>
        <label>
          <input type="checkbox" checked={view.actual} onChange={(e) => setParams({ actual: e.target.checked ? '1' : null })} /> Actual size
        </label>
        <button type="button" onClick={() => setParams({ bright: null, contrast: null })}>
          Reset adjustments
        </button>
      </div>
      {state.loading && state.tags.length === 0 ? (
        <div className="empty" aria-busy="true">
          Loading…
        </div>
      ) : tagMap.size === 0 ? (
        <div className="empty">No images in the selected runs.</div>
      ) : null}
      {[...tagMap.entries()].map(([tag, runs]) => (
        <details key={tag} className="group" open>
          <summary>
            {tag} <span className="muted">({runs.length} runs)</span>
          </summary>
          <div className="image-grid">
            {runs.map((run) => (
              <CardBoundary key={run} label={`${run} · ${tag}`}>
                <ImageCard run={run} tag={tag} view={view} />
              </CardBoundary>
            ))}
          </div>
        </details>
      ))}
    </div>
  );
}

export function ImageCard({ run, tag, view }: { run: string; tag: string; view: View }) {
  const [ref, seen] = useSeenOnce<HTMLDivElement>();
  const refresh = useChangeCounter((c) => c.type === 'data' && c.run === run && c.tag === tag);
  const { data, error, loading } = useApi<ImageSeries>(seen ? query('/api/images', { run, tag }) : null, refresh);
  const [localIdx, setLocalIdx] = useState<number | null>(null);
  const steps = data?.steps ?? [];
  let idx = localIdx === null ? steps.length - 1 : Math.min(localIdx, steps.length - 1);
  if (view.linkedStep !== null && steps.length) {
    idx = 0;
    for (let i = 0; i < steps.length; i++) if (steps[i]! <= view.linkedStep) idx = i;
  }
  const step = steps[idx];
  const images = (data?.images ?? []).filter((im) => im.step === step).sort((a, b) => a.index - b.index);
  const filter = `brightness(${view.brightness}) contrast(${view.contrast})`;
  return (
    <div ref={ref} className="card" data-testid="image-card" data-run={run} data-tag={tag}>
      <div className="card-head">
        <span className="swatch" style={{ background: runColor(run) }} />
        <span className="card-title" title={run}>
          {run}
        </span>
      </div>
      {error ? (
        <div className="error-text" role="alert">
          {error.message}
        </div>
      ) : !data ? (
        <div className="placeholder" aria-busy={loading}>
          {seen ? 'Loading…' : ''}
        </div>
      ) : steps.length === 0 ? (
        <div className="placeholder">No images.</div>
      ) : (
        <>
          <div className="meta">
            step <b data-testid="image-step">{step}</b>
            {images[0]?.wallTime ? ` · ${new Date(images[0].wallTime * 1000).toLocaleString()}` : ''}
            {images.length > 1 ? ` · batch of ${images.length}` : ''} · {images[0]?.width}×{images[0]?.height}
          </div>
          <div className={view.actual ? 'image-frame' : 'image-frame fit'}>
            <div className="batch" style={{ gridTemplateColumns: `repeat(${Math.ceil(Math.sqrt(images.length))}, 1fr)` }}>
              {images.map((im: ImageEntry) => (
                // A plain <img>: the bytes come from our own /api/blob (already the stored PNG/JPEG); next/image's resizing would re-encode them.
                <img
                  key={`${im.step}-${im.index}`}
                  src={`/api/blob/${im.blobId}`}
                  width={im.width}
                  height={im.height}
                  alt={`${tag} of ${run} at step ${im.step}${images.length > 1 ? `, image ${im.index + 1}` : ''}`}
                  style={{ filter }}
                />
              ))}
            </div>
          </div>
          {steps.length > 1 && (
            <label className="slider">
              <input
                type="range"
                min={0}
                max={steps.length - 1}
                value={idx}
                disabled={view.linkedStep !== null}
                onChange={(e) => setLocalIdx(Number(e.target.value))}
                aria-label={`Step of ${tag} for ${run}`}
              />
              <span>
                {idx + 1}/{steps.length}
              </span>
            </label>
          )}
        </>
      )}
    </div>
  );
}
