'use client';
// Audio: per tag, one card per selected run with a player for the clip at the chosen step and a
// step slider (clips written by addAudio / TensorFlow's audio summaries, served as WAV).
import { useState } from 'react';
import type { AudioEntry } from '../../lib/store/types.ts';
import { query, useApi } from './api.ts';
import { runColor } from './colors.ts';
import { CardBoundary } from './error-boundary.tsx';
import { useSeenOnce } from './in-view.ts';
import { useChangeCounter } from './live.ts';
import { tagsOfKind, useRuns } from './runs-context.tsx';

export function AudioDashboard() {
  const state = useRuns();
  const tagMap = tagsOfKind(state, ['audio']);
  return (
    <div>
      {state.loading && state.tags.length === 0 ? (
        <div className="empty" aria-busy="true">
          Loading…
        </div>
      ) : tagMap.size === 0 ? (
        <div className="empty">No audio in the selected runs. Clips written with addAudio appear here live.</div>
      ) : null}
      {[...tagMap.entries()].map(([tag, runs]) => (
        <details key={tag} className="group" open>
          <summary>
            {tag} <span className="muted">({runs.length} runs)</span>
          </summary>
          <div className="image-grid">
            {runs.map((run) => (
              <CardBoundary key={run} label={`${run} · ${tag}`}>
                <AudioCard run={run} tag={tag} />
              </CardBoundary>
            ))}
          </div>
        </details>
      ))}
    </div>
  );
}

function AudioCard({ run, tag }: { run: string; tag: string }) {
  const [ref, seen] = useSeenOnce<HTMLDivElement>();
  const refresh = useChangeCounter((c) => c.type === 'data' && c.run === run && c.tag === tag);
  const { data, error, loading } = useApi<{ clips: AudioEntry[] }>(seen ? query('/api/audio', { run, tag }) : null, refresh);
  const [picked, setPicked] = useState<number | null>(null);
  const clips = data?.clips ?? [];
  const idx = picked === null ? clips.length - 1 : Math.min(picked, clips.length - 1);
  const clip = clips[idx];
  return (
    <div ref={ref} className="card" data-testid="audio-card" data-run={run} data-tag={tag}>
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
      ) : !clip ? (
        <div className="placeholder">No clips.</div>
      ) : (
        <>
          <div className="meta">
            step <b data-testid="audio-step">{clip.step}</b> · {(clip.frames / clip.sampleRate).toFixed(2)} s · {clip.sampleRate} Hz ·{' '}
            {clip.channels} ch{clip.wallTime ? ` · ${new Date(clip.wallTime * 1000).toLocaleString()}` : ''}
          </div>
          <audio
            key={clip.blobId}
            controls
            preload="metadata"
            src={`/api/blob/${clip.blobId}`}
            aria-label={`${tag} of ${run} at step ${clip.step}`}
            style={{ width: '100%' }}
          />
          {clips.length > 1 && (
            <label className="slider">
              <input
                type="range"
                min={0}
                max={clips.length - 1}
                value={idx}
                onChange={(e) => setPicked(Number(e.target.value))}
                aria-label={`Step of ${tag} for ${run}`}
              />
              <span>
                {idx + 1}/{clips.length}
              </span>
            </label>
          )}
        </>
      )}
    </div>
  );
}
