'use client';
// The scalar settings shared by the Scalars and Time series pages. Both pages keep them in the same URL keys
// (`smoothing`, `x`), so a value set on one page carries over to the other.
import { setParams } from '../url-state.ts';
import type { XAxisMode } from './math.ts';

/** TensorBoard's smoothing slider with an exact number field next to it. */
export function SmoothingControl({ smoothing }: { smoothing: number }) {
  return (
    <label title="TensorBoard's debiased exponential moving average">
      Smoothing
      <input
        type="range"
        min={0}
        max={0.99}
        step={0.01}
        value={Math.min(smoothing, 0.99)}
        onChange={(e) => setParams({ smoothing: e.target.value })}
        aria-label="Smoothing"
      />
      <input
        type="number"
        min={0}
        max={0.999}
        step={0.001}
        value={smoothing}
        onChange={(e) => setParams({ smoothing: e.target.value })}
        style={{ width: 70 }}
        aria-label="Smoothing value"
      />
    </label>
  );
}

/** Step, relative time or wall time on the x axis; `step` is the default and leaves the URL clean. */
export function XAxisControl({ xAxis }: { xAxis: XAxisMode }) {
  return (
    <label>
      X axis
      <select value={xAxis} onChange={(e) => setParams({ x: e.target.value === 'step' ? null : e.target.value })} aria-label="X axis">
        <option value="step">Step</option>
        <option value="relative">Relative (hours)</option>
        <option value="wall">Wall time</option>
      </select>
    </label>
  );
}
