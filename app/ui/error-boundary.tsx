'use client';
// Per-card error boundary: one broken chart must not blank the whole dashboard.
import { Component, type ReactNode } from 'react';

export class CardBoundary extends Component<{ children: ReactNode; label: string }, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  override render() {
    if (this.state.error) {
      return (
        <div className="card error-panel" role="alert">
          <div className="card-title">{this.props.label}</div>
          <p className="mono">{this.state.error.message}</p>
          <button type="button" onClick={() => this.setState({ error: null })}>
            Retry
          </button>
        </div>
      );
    }
    return this.props.children;
  }
}
