'use client';
// One cell of the Time Series grid: a frame around the Scalars / Images / Histograms dashboards'
// own cards (reused as they are), with a pin button and a per-card settings panel whose values
// override the page-wide ones for this card only. The inner card is mounted only once the cell
// has come near the viewport, so a grid of hundreds of tags costs a placeholder per card until
// it is scrolled to.
import { useMemo, useState } from 'react';
import { CardBoundary } from '../error-boundary.tsx';
import { HistogramCard } from '../histograms.tsx';
import { ImageCard } from '../images.tsx';
import { useSeenOnce } from '../in-view.ts';
import { ScalarCard, type ScalarSettings } from '../scalars/scalar-card.tsx';
import type { XAxisMode } from '../scalars/math.ts';
import { cardId, effective, HISTOGRAM_MODES, type CardRef, type CardSettings, type HistogramMode } from './model.ts';

/** The page-wide settings every card starts from. */
export interface PageSettings {
  scalar: ScalarSettings;
  image: { brightness: number; contrast: number; actual: boolean };
  histogramMode: HistogramMode;
}

interface Props {
  card: CardRef;
  /** Runs of a scalar card (all selected runs holding the tag). */
  runs: string[];
  page: PageSettings;
  override: CardSettings | undefined;
  onOverride: (id: string, next: CardSettings) => void;
  pinned: boolean;
  onTogglePin: (id: string) => void;
  runStarts: Map<string, number>;
  dark: boolean;
}

const KIND_LABEL = { scalar: 'Scalar', image: 'Image', histogram: 'Histogram' } as const;

export function TimeSeriesCard(props: Props) {
  const { card, pinned, onTogglePin } = props;
  const id = cardId(card);
  const [ref, seen] = useSeenOnce<HTMLDivElement>('400px');
  const [open, setOpen] = useState(false);
  const label = card.run === null ? card.tag : `${card.tag} of ${card.run}`;
  const overridden = props.override !== undefined && Object.keys(props.override).length > 0;
  return (
    <div
      ref={ref}
      className={pinned ? 'ts-card pinned' : 'ts-card'}
      data-testid="ts-card"
      data-kind={card.kind}
      data-tag={card.tag}
      data-run={card.run ?? undefined}
      data-mounted={seen ? '1' : '0'}
    >
      <div className="ts-card-head">
        <span className={`ts-kind ts-kind-${card.kind}`}>{KIND_LABEL[card.kind]}</span>
        {card.run !== null && (
          <span className="ts-card-tag" title={card.tag}>
            {card.tag}
          </span>
        )}
        <span className="ts-spacer" />
        <button
          type="button"
          className={overridden ? 'ts-gear on' : 'ts-gear'}
          aria-expanded={open}
          aria-label={`Settings of ${label}`}
          title={overridden ? 'This card overrides the page settings' : 'Card settings'}
          onClick={() => setOpen((o) => !o)}
        >
          ⚙{overridden ? ' •' : ''}
        </button>
        {/* Scalar cards bring their own pin button (the Scalars dashboard's card). */}
        {card.kind !== 'scalar' && (
          <button type="button" onClick={() => onTogglePin(id)} aria-pressed={pinned} aria-label={`${pinned ? 'Unpin' : 'Pin'} ${label}`}>
            {pinned ? '★' : '☆'}
          </button>
        )}
      </div>
      {open && <SettingsPanel {...props} id={id} label={label} />}
      {seen ? (
        <CardBoundary label={label}>
          <Inner {...props} />
        </CardBoundary>
      ) : (
        <div className="placeholder" aria-hidden="true" />
      )}
    </div>
  );
}

function Inner({ card, runs, page, override, pinned, onTogglePin, runStarts, dark }: Props) {
  const o = override ?? {};
  const scalar = useMemo<ScalarSettings>(
    () => ({
      smoothing: effective(o.smoothing, page.scalar.smoothing),
      xAxis: effective(o.xAxis, page.scalar.xAxis),
      logY: effective(o.logY, page.scalar.logY),
      logX: page.scalar.logX && effective(o.xAxis, page.scalar.xAxis) !== 'wall',
      ignoreOutliers: effective(o.ignoreOutliers, page.scalar.ignoreOutliers),
    }),
    [o.smoothing, o.xAxis, o.logY, o.ignoreOutliers, page.scalar],
  );
  if (card.kind === 'scalar') {
    return (
      <ScalarCard
        tag={card.tag}
        runs={runs}
        settings={scalar}
        runStarts={runStarts}
        dark={dark}
        pinned={pinned}
        onTogglePin={() => onTogglePin(cardId(card))}
      />
    );
  }
  if (card.kind === 'image') {
    const view = {
      linkedStep: null,
      brightness: effective(o.brightness, page.image.brightness),
      contrast: effective(o.contrast, page.image.contrast),
      actual: effective(o.actual, page.image.actual),
    };
    return <ImageCard run={card.run!} tag={card.tag} view={view} />;
  }
  return <HistogramCard run={card.run!} tag={card.tag} mode={effective(o.mode, page.histogramMode)} dark={dark} />;
}

/** Per-card overrides; a value equal to the page's is dropped, so the card follows the page again. */
function SettingsPanel({ card, page, override, onOverride, id, label }: Props & { id: string; label: string }) {
  const o = override ?? {};
  const set = <K extends keyof CardSettings>(key: K, value: CardSettings[K], pageValue: CardSettings[K]) => {
    const next: CardSettings = { ...o };
    if (value === undefined || value === pageValue) delete next[key];
    else next[key] = value;
    onOverride(id, next);
  };
  return (
    <div className="ts-settings" role="group" aria-label={`Card settings of ${label}`}>
      {card.kind === 'scalar' && (
        <>
          <label title="Smoothing of this card (empty: the page's)">
            Smoothing
            <input
              type="number"
              min={0}
              max={0.999}
              step={0.05}
              value={o.smoothing ?? ''}
              placeholder={String(page.scalar.smoothing)}
              onChange={(e) => {
                const n = e.target.value === '' ? undefined : Math.min(0.999, Math.max(0, Number(e.target.value)));
                set('smoothing', Number.isFinite(n) ? n : undefined, page.scalar.smoothing);
              }}
              aria-label={`Smoothing of ${label}`}
            />
          </label>
          <label>
            <input
              type="checkbox"
              checked={effective(o.logY, page.scalar.logY)}
              onChange={(e) => set('logY', e.target.checked, page.scalar.logY)}
              aria-label={`Log y axis of ${label}`}
            />{' '}
            Log y
          </label>
          <label>
            X axis
            <select
              value={effective(o.xAxis, page.scalar.xAxis)}
              onChange={(e) => set('xAxis', e.target.value as XAxisMode, page.scalar.xAxis)}
              aria-label={`X axis of ${label}`}
            >
              <option value="step">Step</option>
              <option value="relative">Relative (hours)</option>
              <option value="wall">Wall time</option>
            </select>
          </label>
          <label>
            <input
              type="checkbox"
              checked={effective(o.ignoreOutliers, page.scalar.ignoreOutliers)}
              onChange={(e) => set('ignoreOutliers', e.target.checked, page.scalar.ignoreOutliers)}
              aria-label={`Ignore outliers in ${label}`}
            />{' '}
            Ignore outliers
          </label>
        </>
      )}
      {card.kind === 'image' && (
        <>
          <label>
            Brightness
            <input
              type="range"
              min={0}
              max={3}
              step={0.05}
              value={effective(o.brightness, page.image.brightness)}
              onChange={(e) => set('brightness', Number(e.target.value), page.image.brightness)}
              aria-label={`Brightness of ${label}`}
            />
          </label>
          <label>
            Contrast
            <input
              type="range"
              min={0}
              max={3}
              step={0.05}
              value={effective(o.contrast, page.image.contrast)}
              onChange={(e) => set('contrast', Number(e.target.value), page.image.contrast)}
              aria-label={`Contrast of ${label}`}
            />
          </label>
          <label>
            <input
              type="checkbox"
              checked={effective(o.actual, page.image.actual)}
              onChange={(e) => set('actual', e.target.checked, page.image.actual)}
              aria-label={`Actual size of ${label}`}
            />{' '}
            Actual size
          </label>
        </>
      )}
      {card.kind === 'histogram' && (
        <label>
          View
          <select
            value={effective(o.mode, page.histogramMode)}
            onChange={(e) => set('mode', e.target.value as HistogramMode, page.histogramMode)}
            aria-label={`Histogram view of ${label}`}
          >
            {HISTOGRAM_MODES.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
      )}
      <button type="button" onClick={() => onOverride(id, {})} disabled={Object.keys(o).length === 0}>
        Use page settings
      </button>
    </div>
  );
}
