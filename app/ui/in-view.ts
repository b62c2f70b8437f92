'use client';
// Mount-on-visible: cards far below the fold render a placeholder until scrolled near, so a page
// with hundreds of charts does not initialise them all at once. Once seen, a card stays mounted.
import { useEffect, useRef, useState } from 'react';

export function useSeenOnce<T extends Element>(margin = '300px'): [React.RefObject<T | null>, boolean] {
  const ref = useRef<T>(null);
  const [seen, setSeen] = useState(false);
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
