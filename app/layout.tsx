import type { ReactNode } from 'react';
import { initialRunsAndTags } from '../lib/server/initial-data.ts';
import { Shell } from './ui/shell.tsx';
import './globals.css';

// Rendered per request: the run list and tags come embedded in the page (no extra round trip).
export const dynamic = 'force-dynamic';

export const metadata = { title: 'Board', description: 'Live TensorBoard-compatible dashboard' };

// Sets the theme before first paint (URL `theme`, else the system setting) so dark mode never flashes.
const THEME_SCRIPT = `(function(){try{var t=new URLSearchParams(location.search).get('theme');var d=t?t==='dark':matchMedia('(prefers-color-scheme: dark)').matches;document.documentElement.dataset.theme=d?'dark':'light';}catch(e){}})();`;

export default async function RootLayout({ children }: { children: ReactNode }) {
  const initial = await initialRunsAndTags();
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        <script dangerouslySetInnerHTML={{ __html: THEME_SCRIPT }} />
      </head>
      <body>
        <Shell initial={initial}>{children}</Shell>
      </body>
    </html>
  );
}
