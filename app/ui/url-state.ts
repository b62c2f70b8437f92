'use client';
// View state lives in the URL query string, so a link reproduces the view. The in-memory copy is
// the source of truth while the page is open (controls update instantly); the address bar follows
// with a short debounce, because browsers throttle rapid history.replaceState calls.
import { createContext, createElement, useContext, useSyncExternalStore, type ReactNode } from 'react';

type Listener = () => void;
const listeners = new Set<Listener>();
let current: string | null = null;
let lastPath: string | null = null;
let writeTimer: ReturnType<typeof setTimeout> | null = null;

function read(): string {
  if (typeof window === 'undefined') return '';
  // A navigation (tab link, back/forward) changed the address: adopt it.
  if (current === null || (writeTimer === null && (window.location.pathname !== lastPath || window.location.search !== current))) {
    current = window.location.search;
    lastPath = window.location.pathname;
  }
  return current;
}

function subscribe(listener: Listener): () => void {
  listeners.add(listener);
  const onPop = () => {
    current = null;
    listener();
  };
  window.addEventListener('popstate', onPop);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('popstate', onPop);
  };
}

function emit(): void {
  for (const l of listeners) l();
}

/**
 * The query string of the request being rendered, from the root layout. The server render and
 * hydration use it, so the first paint already shows the URL's view state (no flash of default
 * controls that then jump to the linked view).
 */
const InitialSearch = createContext('');

export function InitialSearchProvider({ search, children }: { search: string; children: ReactNode }) {
  return createElement(InitialSearch.Provider, { value: search.startsWith('?') ? search : '' }, children);
}

/** The current query string (with its leading '?', or ''). */
export function useSearch(): string {
  const initial = useContext(InitialSearch);
  return useSyncExternalStore(subscribe, read, () => initial);
}

export function useParams(): URLSearchParams {
  return new URLSearchParams(useSearch());
}

/** Applies a patch to the query string: a string sets, an array sets repeated values, null deletes. */
export function setParams(patch: Record<string, string | string[] | null | undefined>): void {
  const params = new URLSearchParams(read());
  for (const [key, value] of Object.entries(patch)) {
    params.delete(key);
    if (value === null || value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) params.append(key, v);
    else params.set(key, value);
  }
  const next = params.toString();
  current = next ? `?${next}` : '';
  // Schedule the address-bar write before notifying: read() trusts `current` only while a write is pending.
  if (writeTimer !== null) clearTimeout(writeTimer);
  writeTimer = setTimeout(flushParams, 120);
  emit();
}

/** Flushes a pending URL write now (before navigation or a test reading the address bar). */
export function flushParams(): void {
  if (writeTimer === null) return;
  clearTimeout(writeTimer);
  writeTimer = null;
  if (current === null) return;
  window.history.replaceState(window.history.state, '', `${window.location.pathname}${current}${window.location.hash}`);
  lastPath = window.location.pathname;
}

export function numParam(params: URLSearchParams, key: string, fallback: number, min: number, max: number): number {
  const raw = params.get(key);
  if (raw === null || raw.trim() === '') return fallback;
  const n = Number(raw);
  return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : fallback;
}

export function boolParam(params: URLSearchParams, key: string): boolean {
  const v = params.get(key);
  return v === '1' || v === 'true';
}
