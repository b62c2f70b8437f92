'use client';

/** Error boundary for a dashboard page: shows the message and lets the user retry without a reload. */
export default function DashboardError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="panel error-panel" role="alert">
      <h2>This dashboard hit an error</h2>
      <p className="mono">{error.message || 'Unknown error'}</p>
      <button type="button" onClick={reset}>
        Try again
      </button>
    </div>
  );
}
