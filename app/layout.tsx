import type { ReactNode } from 'react';
import { headers } from 'next/headers';
import { initialRunsAndTags } from '../lib/server/initial-data.ts';
import { SEARCH_HEADER } from '../lib/server/search-header.ts';
import { Shell } from './ui/shell.tsx';
import { InitialSearchProvider } from './ui/url-state.ts';
import './globals.css';

// Rendered per request: the run list and tags come embedded in the page (no extra round trip).
export const dynamic = 'force-dynamic';

export const metadata = { title: 'Board', description: 'Live TensorBoard-compatible dashboard' };

// Sets the theme before first paint (URL `theme`, else the system setting) so dark mode never flashes.
const THEME_SCRIPT = `(function(){try{var t=new URLSearchParams(location.search).get('theme');var d=t?t==='dark':matchMedia('(prefers-color-scheme: dark)').matches;document.documentElement.dataset.theme=d?'dark':'light';}catch(e){}})();`;

export default async function RootLayout({ children }: { children: ReactNode }) {
  const initial = await initialRunsAndTags();
  // Set by the board's HTTP server (lib/server/http.ts) from the request URL.
  const search = (await headers()).get(SEARCH_HEADER) ?? '';
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        <script dangerouslySetInnerHTML={{ __html: THEME_SCRIPT }} />
      </head>
      <body>
        <InitialSearchProvider search={search}>
          <Shell initial={initial}>{children}</Shell>
        </InitialSearchProvider>
      </body>
    </html>
  );
}
