// Domain types shared by every layer, from the event-file reader to the browser. Isomorphic: no
// Node or DOM imports, so app/ client components may import it.
export * from './names.ts';
export * from './plugins.ts';
export * from './step.ts';
