'use client';
// One EventSource per page for the store's change feed (/api/events). Components subscribe to the
// changes they care about; the connection reconnects by itself (the server sets `retry`).
import { useEffect, useRef, useState } from 'react';
import type { StoreChange } from '../../lib/store/types.ts';

type Listener = (change: StoreChange) => void;
const listeners = new Set<Listener>();
let source: EventSource | null = null;
let connected = false;
const statusListeners = new Set<(up: boolean) => void>();
const connectListeners = new Set<() => void>();

/**
 * Called on every (re)connection of the change feed. Changes that happened before it (between the
 * page's server render and the connection, or while disconnected) were not pushed: listeners
 * re-read what they show.
 */
export function onFeedConnect(listener: () => void): () => void {
  ensureSource();
  connectListeners.add(listener);
  return () => {
    connectListeners.delete(listener);
  };
}

function ensureSource(): void {
  if (source || typeof window === 'undefined') return;
  source = new EventSource('/api/events');
  source.onmessage = (ev) => {
    let change: StoreChange;
    try {
      change = JSON.parse(ev.data as string) as StoreChange;
    } catch {
      return;
    }
    for (const l of listeners) l(change);
  };
  source.addEventListener('hello', () => {
    connected = true;
    for (const l of statusListeners) l(true);
    for (const l of connectListeners) l();
  });
  source.onerror = () => {
    connected = false;
    for (const l of statusListeners) l(false);
  };
}

export function subscribeChanges(listener: Listener): () => void {
  ensureSource();
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

/** True while the change feed is connected. */
export function useLiveStatus(): boolean {
  const [up, setUp] = useState(connected);
  useEffect(() => {
    ensureSource();
    statusListeners.add(setUp);
    setUp(connected);
    return () => {
      statusListeners.delete(setUp);
    };
  }, []);
  return up;
}

/**
 * A counter that increments when a change matching `match` arrives (React batches bursts into one
 * render). Use it as the `refresh` key of useApi. `match` is read through a ref, so it may change.
 */
export function useChangeCounter(match: (c: StoreChange) => boolean): number {
  const [n, setN] = useState(0);
  const matchRef = useRef(match);
  matchRef.current = match;
  useEffect(
    () =>
      subscribeChanges((c) => {
        if (matchRef.current(c)) setN((x) => x + 1);
      }),
    [],
  );
  return n;
}
