'use client';
// Data fetching for client components: JSON from the route handlers, with a refresh key so live
// updates and retries can ask again. Errors surface as values for the card to show.
import { useEffect, useState } from 'react';

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export async function fetchJson<T>(url: string, init?: RequestInit): Promise<T> {
  return readJson<T>(await fetch(url, { cache: 'no-store', ...init }));
}

/** The JSON of a response, or an ApiError carrying the server's error message. */
export async function readJson<T>(res: Response): Promise<T> {
  if (!res.ok) {
    let message = `HTTP ${res.status}`;
    try {
      message = ((await res.json()) as { error?: string }).error ?? message;
    } catch {
      /* not JSON */
    }
    throw new ApiError(message, res.status);
  }
  return (await res.json()) as T;
}

/** POSTs a JSON body (run sets of sweeps go this way, never in a URL) and reads the JSON answer. */
export function postJson<T>(url: string, body: unknown, init?: RequestInit): Promise<T> {
  return fetchJson<T>(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), ...init });
}

export function query(path: string, params: Record<string, string | number | string[] | undefined>): string {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const x of v) sp.append(k, x);
    else sp.set(k, String(v));
  }
  const s = sp.toString();
  return s ? `${path}?${s}` : path;
}

export interface ApiState<T> {
  data: T | undefined;
  error: Error | null;
  loading: boolean;
}

/** Fetches `url` (skipped when null) and again whenever `url` or `refresh` change; keeps old data while reloading. */
export function useApi<T>(url: string | null, refresh: unknown = 0): ApiState<T> {
  const [state, setState] = useState<ApiState<T>>({ data: undefined, error: null, loading: url !== null });
  useEffect(() => {
    if (url === null) return;
    let cancelled = false;
    setState((s) => ({ ...s, loading: true }));
    fetchJson<T>(url).then(
      (data) => {
        if (!cancelled) setState({ data, error: null, loading: false });
      },
      (error: Error) => {
        if (!cancelled) setState((s) => ({ data: s.data, error, loading: false }));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [url, refresh]);
  return state;
}

/** Downloads the answer of a JSON POST as a file (exports of run sets too large for a link). */
export async function downloadPost(url: string, body: unknown, filename: string): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    cache: 'no-store',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) {
    let message = `HTTP ${res.status}`;
    try {
      message = ((await res.json()) as { error?: string }).error ?? message;
    } catch {
      /* not JSON */
    }
    throw new ApiError(message, res.status);
  }
  const href = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = href;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}
