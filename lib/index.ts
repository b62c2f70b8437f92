// Public API of Board. Each part re-exports its public surface here.
export {};
