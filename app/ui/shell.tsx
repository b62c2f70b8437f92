'use client';
// Page frame: header with dashboard tabs, live indicator and theme toggle; the run selector on the
// left; the active dashboard on the right. Tabs carry the query string so view state survives.
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useEffect, type ReactNode } from 'react';
import type { TagIndex } from '../../lib/store/tag-index.ts';
import { preloadECharts } from './echart.tsx';
import { useLiveStatus } from './live.ts';
import { RunSelector } from './run-selector.tsx';
import { RunsProvider } from './runs-context.tsx';
import { flushParams, setParams, useParams, useSearch } from './url-state.ts';
import { useDark } from './theme.ts';

const TABS = [
  ['/time-series', 'Time series'],
  ['/scalars', 'Scalars'],
  ['/images', 'Images'],
  ['/histograms', 'Histograms'],
  ['/text', 'Text'],
  ['/hparams', 'HParams'],
  ['/pr-curves', 'PR curves'],
  ['/graphs', 'Graphs'],
  ['/custom-scalars', 'Custom scalars'],
  ['/audio', 'Audio'],
  ['/projector', 'Projector'],
] as const;

export function Shell({ children, initial }: { children: ReactNode; initial: TagIndex | null }) {
  const path = usePathname();
  const search = useSearch();
  const live = useLiveStatus();
  const dark = useDark();
  const params = useParams();
  useEffect(() => {
    document.documentElement.dataset.theme = dark ? 'dark' : 'light';
  }, [dark]);
  // Marks the page interactive (the server-rendered controls only respond after hydration).
  useEffect(() => {
    document.documentElement.dataset.hydrated = '1';
    // Charts' data requests go out first (the scalar cards start ECharts' load right after theirs);
    // other pages get the library shortly after hydration, before their first chart needs it.
    const t = setTimeout(preloadECharts, 300);
    return () => clearTimeout(t);
  }, []);
  return (
    <RunsProvider initial={initial}>
      <a className="skip" href="#main">
        Skip to dashboard
      </a>
      <header className="top">
        <span className="brand">Board</span>
        <nav aria-label="Dashboards">
          {TABS.map(([href, label]) => (
            <Link
              key={href}
              href={`${href}${search}`}
              // No prefetch: each tab's payload embeds the run/tag index (325 KB at 2,000 runs x 50
              // tags), and prefetching all eleven at start delayed the first chart (issue 13).
              prefetch={false}
              className={path === href ? 'tab active' : 'tab'}
              aria-current={path === href ? 'page' : undefined}
              onClick={flushParams}
            >
              {label}
            </Link>
          ))}
        </nav>
        <span
          className={live ? 'live up' : 'live'}
          title={live ? 'Live: connected to the change feed' : 'Live updates disconnected (retrying)'}
          aria-live="polite"
        >
          {live ? '● live' : '○ offline'}
        </span>
        <button
          type="button"
          className="theme-toggle"
          onClick={() => setParams({ theme: dark ? 'light' : 'dark' })}
          aria-label={`Switch to ${dark ? 'light' : 'dark'} mode`}
          data-theme-current={params.get('theme') ?? ''}
        >
          {dark ? '☀ Light' : '☾ Dark'}
        </button>
      </header>
      <div className="frame">
        <RunSelector />
        <main id="main" className="dash">
          {children}
        </main>
      </div>
    </RunsProvider>
  );
}
