// Entry of the oracle sandbox's worker thread: registers tsx's TypeScript loader in this thread (module hooks are
// per thread, and workers do not accept --import), then loads the worker proper.
import { register } from 'tsx/esm/api';

register();
await import('./case-worker.ts');
