// No runtime import cycle anywhere under lib/: with one, a module can run before an import it needs has been
// evaluated (a TDZ error or an undefined class at top level), depending on which file a program happens to load first.
import { describe, it, expect, vi } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { importGraph, findCycles } from './import-graph.ts';

const LIB = resolve(import.meta.dirname, '../../lib');

function describeCycles(root: string, opts: { dynamic?: boolean } = {}): string[] {
  return findCycles(importGraph(root, opts)).map((c) => c.map((f) => relative(root, f)).join(' -> '));
}

describe('import graph', () => {
  it('lib/ has no runtime import cycle', () => {
    const graph = importGraph(LIB);
    expect(graph.size).toBeGreaterThan(100); // the walk really read the tree
    expect(graph.get(join(LIB, 'engine/index.ts'))).toContain(join(LIB, 'engine/methods.ts'));
    expect(describeCycles(LIB)).toEqual([]);
  });

  it('lib/ has no cycle through a lazy import() either', () => {
    expect(describeCycles(LIB, { dynamic: true })).toEqual([]);
  });

  it('the engine entry loads the method registry before any op module', () => {
    const edges = importGraph(join(LIB, 'engine')).get(join(LIB, 'engine/index.ts'))!;
    expect(relative(join(LIB, 'engine'), edges[0]!)).toBe('methods.ts');
  });

  it('finds a cycle, ignores type-only and dynamic imports, and names the files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'board-cycles-'));
    try {
      mkdirSync(join(dir, 'sub'));
      writeFileSync(join(dir, 'a.ts'), "import { b } from './sub/b.ts';\nexport const a = () => b;\n");
      writeFileSync(join(dir, 'sub/b.ts'), "import { c } from '../c';\nexport const b = c;\n");
      writeFileSync(join(dir, 'c.ts'), "export { a } from './a.ts';\nexport const c = 1;\n");
      // Type-only and lazy edges back to a.ts are not cycles at runtime.
      writeFileSync(
        join(dir, 'd.ts'),
        "import type { a } from './a.ts';\nimport { type a as a2 } from './a.ts';\nexport type D = typeof a | typeof a2;\n",
      );
      writeFileSync(join(dir, 'e.ts'), "import './d.ts';\nexport const e = () => import('./e2.ts');\n");
      writeFileSync(join(dir, 'e2.ts'), "import { e } from './e.ts';\nexport default e;\n");
      expect(describeCycles(dir)).toEqual(['a.ts -> sub/b.ts -> c.ts -> a.ts']);
      // e2 -> e is one edge, e -> e2 is dynamic: no cycle. Closing the loop statically makes one.
      writeFileSync(join(dir, 'e.ts'), "import './e2.ts';\nexport const e = 1;\n");
      expect(describeCycles(dir).sort()).toEqual(['a.ts -> sub/b.ts -> c.ts -> a.ts', 'e.ts -> e2.ts -> e.ts']);
      // Counting lazy imports, the dynamic e -> e2 edge closes a loop too.
      writeFileSync(join(dir, 'e.ts'), "export const e = () => import('./e2.ts');\n");
      expect(describeCycles(dir)).toEqual(['a.ts -> sub/b.ts -> c.ts -> a.ts']);
      expect(describeCycles(dir, { dynamic: true }).sort()).toEqual(['a.ts -> sub/b.ts -> c.ts -> a.ts', 'e.ts -> e2.ts -> e.ts']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('engine modules load in any order', () => {
  const engine = join(LIB, 'engine');
  const modules = readdirSync(engine)
    .filter((f) => f.endsWith('.ts'))
    .sort();
  it.each(modules)('%s first, then the entry: the engine works', async (file) => {
    vi.resetModules(); // a fresh module graph: `file` is the first engine module evaluated
    await import(join(engine, file));
    const { tensor } = await import(join(engine, 'index.ts'));
    const x = tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { dtype: 'float32' },
    ).requiresGrad_();
    x.mul(x).sum().backward();
    expect(Array.from(x.grad!.dataSync())).toEqual([2, 4, 6, 8]);
    expect(x.T.max(0).values.tolist()).toEqual([2, 4]);
  });
});
