// Opens a page in a fresh tab and reports when its scalar data requests left relative to
// hydration, and every scalar request body: the Scalars and Time Series pages send their first
// cards' requests from the server-rendered page (app/ui/scalars/early-requests.tsx), before
// hydration, and a card reuses that answer instead of asking again.
import type { Browser, Page } from 'playwright-core';

export interface EarlyRequestReport {
  /** performance.now() when html[data-hydrated] was set (Shell's first effect). */
  hydratedAt: number;
  /** startTime of the earliest /api/scalars request (Infinity if none). */
  firstPost: number;
  /** Bodies of every POST /api/scalars, in order. */
  bodies: string[];
}

/** `ready` waits for whatever the caller needs drawn; the page is closed afterwards. */
export async function earlyRequestReport(browser: Browser, url: string, ready: (page: Page) => Promise<void>): Promise<EarlyRequestReport> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  try {
    await page.addInitScript(() => {
      new MutationObserver((_, obs) => {
        if (document.documentElement?.dataset.hydrated === '1') {
          (window as unknown as { __hydratedAt: number }).__hydratedAt = performance.now();
          obs.disconnect();
        }
      }).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-hydrated'] });
    });
    const bodies: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/scalars') bodies.push(r.postData() ?? '');
    });
    await page.goto(url);
    await ready(page);
    const timing = await page.evaluate(() => ({
      hydratedAt: (window as unknown as { __hydratedAt?: number }).__hydratedAt ?? -1,
      firstPost: Math.min(
        ...performance
          .getEntriesByType('resource')
          .filter((e) => new URL(e.name).pathname === '/api/scalars')
          .map((e) => e.startTime),
      ),
    }));
    return { ...timing, bodies };
  } finally {
    await page.close();
  }
}
