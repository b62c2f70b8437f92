'use client';
// Mount-on-visible: cards far below the fold render a placeholder until scrolled near, so a page
// with hundreds of charts does not initialise them all at once. Once seen, a card stays mounted.
import { useEffect, useLayoutEffect, useRef, useState } from 'react';

/** True when el is within `marginPx` of the viewport now (one layout read). */
function nearViewport(el: Element, marginPx: number): boolean {
  const r = el.getBoundingClientRect();
  if (r.width === 0 && r.height === 0) return false; // not rendered (display: none): leave it to the observer
  return r.bottom >= -marginPx && r.top <= window.innerHeight + marginPx && r.right >= -marginPx && r.left <= window.innerWidth + marginPx;
}

export function useSeenOnce<T extends Element>(margin = '300px'): [React.RefObject<T | null>, boolean] {
  const ref = useRef<T>(null);
  const [seen, setSeen] = useState(false);
  // Cards already on screen at mount start at once, in the same commit: an IntersectionObserver
  // reports only after the next frame, and a passive effect re-renders in a later task; both
  // delayed the first charts' data requests on page load.
  useLayoutEffect(() => {
    if (!seen && ref.current && nearViewport(ref.current, parseFloat(margin) || 0)) setSeen(true);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- a mount-time check; later changes are the observer's
  }, []);
  useEffect(() => {
    if (seen || !ref.current) return;
    const io = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) {
          setSeen(true);
          io.disconnect();
        }
      },
      { rootMargin: margin },
    );
    io.observe(ref.current);
    return () => io.disconnect();
  }, [seen, margin]);
  return [ref, seen];
}
