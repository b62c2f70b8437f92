'use client';
// Dark/light mode: the URL's `theme` wins (so a link reproduces the view), then the system setting.
import { useSyncExternalStore } from 'react';
import { useParams } from './url-state.ts';

function subscribe(cb: () => void): () => void {
  const mq = window.matchMedia('(prefers-color-scheme: dark)');
  mq.addEventListener('change', cb);
  return () => mq.removeEventListener('change', cb);
}

export function useDark(): boolean {
  const systemDark = useSyncExternalStore(
    subscribe,
    () => window.matchMedia('(prefers-color-scheme: dark)').matches,
    () => false,
  );
  const theme = useParams().get('theme');
  return theme === 'dark' ? true : theme === 'light' ? false : systemDark;
}
