// The ingester's change feed: listeners, or async iterators that each buffer what they have not
// consumed yet. Consecutive 'data' changes for the same (run, tag) are coalesced in an iterator's
// buffer, so a slow consumer sees the latest step rather than every commit.
import type { StoreChange } from '../store/types.ts';

export class ChangeFeed {
  private listeners = new Set<(c: StoreChange) => void>();
  /** Wake-ups of open iterators, called when the feed ends. */
  private enders = new Set<() => void>();
  private ended = false;

  publish(c: StoreChange): void {
    for (const l of this.listeners) {
      try {
        l(c);
      } catch (err) {
        console.error(`board ingest: change listener failed: ${(err as Error).message}`);
      }
    }
  }

  subscribe(listener: (c: StoreChange) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  end(): void {
    this.ended = true;
    for (const e of [...this.enders]) e();
  }

  iterate(): AsyncIterable<StoreChange> {
    const buffer: StoreChange[] = [];
    let wake: (() => void) | null = null;
    let done = this.ended;
    const listener = (c: StoreChange) => {
      const last = buffer[buffer.length - 1];
      if (last && c.type === 'data' && last.type === 'data' && last.run === c.run && last.tag === c.tag && last.kind === c.kind)
        buffer[buffer.length - 1] = c;
      else buffer.push(c);
      wake?.();
    };
    const ender = () => {
      done = true;
      wake?.();
    };
    this.enders.add(ender);
    const off = this.subscribe(listener);
    const unsubscribe = () => {
      off();
      this.enders.delete(ender);
    };
    return {
      [Symbol.asyncIterator]: () => ({
        next: async (): Promise<IteratorResult<StoreChange>> => {
          while (buffer.length === 0 && !done)
            await new Promise<void>((res) => {
              wake = res;
            });
          wake = null;
          if (buffer.length) return { value: buffer.shift()!, done: false };
          unsubscribe();
          return { value: undefined, done: true };
        },
        return: async (): Promise<IteratorResult<StoreChange>> => {
          done = true;
          unsubscribe();
          return { value: undefined, done: true };
        },
      }),
    };
  }
}
