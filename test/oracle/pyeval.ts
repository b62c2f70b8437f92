// The oracle's Python evaluator: runs the ordinary Python of PyTorch snippets (def/lambda/closures, classes,
// for/while with break/continue/else, comprehensions, unpacking, f-strings, try/except/finally/raise, with, import)
// over Python's own value model (ints vs floats, tuples, dicts, iterators). It knows no torch: runners pass a Host
// whose hooks handle the objects the evaluator does not own (tensors, modules). Loops and calls check a deadline
// and a heap ceiling, so a runaway snippet fails with a clear error instead of hanging or exhausting memory.
import { parseProgram, parseExpression, type Stmt, type Expr, type Param, type Arg, type CompGen } from './py/parser.ts';
import {
  PyFloat,
  PySlice,
  PyFunction,
  PyDict,
  PySet,
  PyRange,
  PyIterator,
  PyClass,
  PyObject,
  PyError,
  EXCEPTIONS,
  tuple,
  isTuple,
  pyRepr,
  pyStr,
  formatSpec,
  formatHooks,
  floatRepr,
  type PyCallable,
  type PyContext,
} from './py/values.ts';
import {
  makeBuiltins,
  BUILTIN_MODULES,
  PyBuiltinType,
  pyCompare,
  pyEquals,
  iterate,
  isFloatValue,
  toJsNumber,
  builtinBinop,
  builtinMethod,
  dictEntries,
  scalarBinop,
} from './py/builtins.ts';
import { getHeapStatistics } from 'node:v8';

export {
  PyFloat,
  PySlice,
  PyFunction,
  PyDict,
  PySet,
  PyRange,
  PyIterator,
  PyClass,
  PyObject,
  PyError,
  tuple,
  isTuple,
  pyRepr,
  pyStr,
  pyEquals,
  floatRepr,
};
export type { PyCallable, PyContext, Stmt };
export { parseProgram };

/** Hooks the environment provides for objects the evaluator does not own. Optional hooks fall back to Python errors. */
export interface Host {
  getattr(obj: unknown, name: string): unknown;
  setattr?(obj: unknown, name: string, value: unknown): void;
  getitem(obj: unknown, index: unknown[]): unknown;
  setitem?(obj: unknown, index: unknown[], value: unknown): void;
  /** Augmented assignment (`x += y`): in place where the object supports it, else undefined. */
  inplace?(op: string, target: unknown, value: unknown): unknown;
  binop(op: string, a: unknown, b: unknown): unknown;
  unop(op: string, a: unknown): unknown;
  /** Calling a host object that is not a JS function (e.g. an nn.Module). undefined: not callable. */
  call?(obj: unknown, args: unknown[], kw: Record<string, unknown>): { value: unknown } | undefined;
  iter?(obj: unknown): Iterable<unknown> | undefined;
  len?(obj: unknown): number | undefined;
  truthy?(obj: unknown): boolean | undefined;
  str?(obj: unknown): string | undefined;
  repr?(obj: unknown): string | undefined;
  format?(obj: unknown, spec: string): string | undefined;
  /** int(obj) / float(obj) of a host object (e.g. a one-element tensor). */
  toNumber?(obj: unknown, kind: 'int' | 'float'): number | undefined;
  isinstance?(obj: unknown, cls: unknown): boolean | undefined;
  /** type(obj) for host objects. */
  typeOf?(obj: unknown): unknown;
  /** The Python exception class name for an error the host threw (default: TypeError for JS TypeErrors, else RuntimeError). */
  errorType?(err: Error): string | undefined;
  /** An object of host class `base` for a Python subclass instance (self before __init__ runs). */
  construct?(base: unknown, cls: PyClass): unknown;
}

/** Thrown when a case runs out of time or memory: not catchable by the snippet's `except`. */
export class LimitError extends Error {}

class ReturnSignal {
  constructor(readonly value: unknown) {}
}
const BREAK = { brk: true };
const CONTINUE = { cont: true };

class Scope {
  readonly vars: Map<string, unknown>;
  globalNames: Set<string> | null = null;
  nonlocalNames: Set<string> | null = null;
  /** The class whose method this frame runs (for zero-argument super()). */
  methodClass: PyClass | null = null;
  selfValue: unknown = undefined;
  constructor(
    readonly parent: Scope | null,
    vars?: Map<string, unknown>,
    readonly isClass = false,
  ) {
    this.vars = vars ?? new Map();
  }
}

class PyStaticMethod {
  constructor(readonly f: unknown) {}
}
class PyClassMethod {
  constructor(readonly f: unknown) {}
}
class PyProperty {
  constructor(
    public fget: unknown,
    public fset: unknown = null,
  ) {}
}
class PySuper {
  constructor(
    readonly cls: PyClass,
    readonly self: unknown,
  ) {}
}

export interface Limits {
  timeMs: number;
  heapMb: number;
}
export const DEFAULT_LIMITS: Limits = { timeMs: 20_000, heapMb: 768 };

/** Evaluation environment: globals in `vars`, builtins, the host, captured `print` output. */
export class PyEnv {
  readonly vars = new Map<string, unknown>();
  readonly builtins = new Map<string, unknown>();
  readonly modules = new Map<string, unknown>();
  readonly stdout: string[] = [];
  /** Hook after each top-level statement (for scenario snapshots). */
  onStatement?: (s: Stmt, error: unknown) => void;
  limits: Limits = { ...DEFAULT_LIMITS };
  private deadline = Infinity;
  private steps = 0;
  private depth = 0;
  private readonly globalScope: Scope;
  private readonly handling: PyError[] = [];
  private readonly generators: unknown[][] = [];
  private readonly hostClass = new WeakMap<object, PyClass>();

  constructor(readonly host: Host) {
    this.globalScope = new Scope(null, this.vars);
    for (const [k, v] of Object.entries(makeBuiltins(this))) this.builtins.set(k, v);
    for (const [k, v] of Object.entries(BUILTIN_MODULES(this))) this.modules.set(k, v);
    formatHooks.str = (v) => this.hostStr(v, 'str');
    formatHooks.repr = (v) => this.hostStr(v, 'repr');
  }

  /** Run a program; returns the value of the last top-level expression statement. */
  run(src: string, opts: { continueOnError?: boolean } = {}): unknown {
    const program = parseProgram(src);
    const outer = this.deadline === Infinity;
    if (outer) this.deadline = Date.now() + this.limits.timeMs;
    try {
      let last: unknown;
      for (const s of program) {
        try {
          last = s.kind === 'expr' ? this.eval(s.e, this.globalScope) : (this.exec(s, this.globalScope), undefined);
          this.onStatement?.(s, null);
        } catch (err) {
          if (err === BREAK || err === CONTINUE)
            throw new PyError('SyntaxError', [`'${err === BREAK ? 'break' : 'continue'}' outside loop`]);
          if (err instanceof ReturnSignal) throw new PyError('SyntaxError', ["'return' outside function"]);
          if (!opts.continueOnError || err instanceof LimitError) throw err;
          this.onStatement?.(s, err);
        }
      }
      return last;
    } finally {
      if (outer) this.deadline = Infinity;
    }
  }

  /** Evaluate one expression in the global scope. */
  evaluate(src: string): unknown {
    return this.eval(parseExpression(src), this.globalScope);
  }

  // ---- guards --------------------------------------------------------------------------------------------
  tick(): void {
    if ((++this.steps & 63) !== 0) return;
    if (Date.now() > this.deadline) throw new LimitError(`pyeval: the case exceeded its time limit of ${this.limits.timeMs / 1000} s`);
    const mb = getHeapStatistics().used_heap_size / 2 ** 20;
    if (mb > this.limits.heapMb) throw new LimitError(`pyeval: the case exceeded its memory limit of ${this.limits.heapMb} MB of heap`);
  }

  // ---- statements ----------------------------------------------------------------------------------------
  execBlock(body: Stmt[], scope: Scope): void {
    for (const s of body) this.exec(s, scope);
  }

  exec(s: Stmt, scope: Scope): void {
    switch (s.kind) {
      case 'expr':
        this.eval(s.e, scope);
        return;
      case 'assign': {
        const v = this.eval(s.e, scope);
        for (const t of s.targets) this.assign(t, v, scope);
        return;
      }
      case 'aug':
        return this.augAssign(s.target, s.op, s.e, scope);
      case 'ann':
        if (s.e) this.assign(s.target, this.eval(s.e, scope), scope);
        return;
      case 'pass':
        return;
      case 'break':
        throw BREAK;
      case 'continue':
        throw CONTINUE;
      case 'return':
        throw new ReturnSignal(s.e ? this.eval(s.e, scope) : null);
      case 'if':
        for (const br of s.branches) {
          if (br.cond === null || this.truthy(this.eval(br.cond, scope))) {
            this.execBlock(br.body, scope);
            return;
          }
        }
        return;
      case 'while': {
        while (this.truthy(this.eval(s.cond, scope))) {
          this.tick();
          try {
            this.execBlock(s.body, scope);
          } catch (e) {
            if (e === BREAK) return;
            if (e !== CONTINUE) throw e;
          }
        }
        this.execBlock(s.orelse, scope);
        return;
      }
      case 'for': {
        for (const x of iterate(this, this.eval(s.iter, scope))) {
          this.tick();
          this.assign(s.target, x, scope);
          try {
            this.execBlock(s.body, scope);
          } catch (e) {
            if (e === BREAK) return;
            if (e !== CONTINUE) throw e;
          }
        }
        this.execBlock(s.orelse, scope);
        return;
      }
      case 'def': {
        let f: unknown = this.makeFunction(s.name, s.params, s.body, scope, s.isGen);
        for (const d of [...s.decorators].reverse()) f = this.decorate(this.eval(d, scope), f);
        this.assignName(s.name, f, scope);
        return;
      }
      case 'class':
        return this.execClass(s, scope);
      case 'with':
        return this.execWith(s.items, 0, s.body, scope);
      case 'try':
        return this.execTry(s, scope);
      case 'raise': {
        if (!s.e) {
          const cur = this.handling[this.handling.length - 1];
          if (!cur) throw new PyError('RuntimeError', ['No active exception to reraise']);
          throw cur;
        }
        const err = this.toRaisable(this.eval(s.e, scope));
        if (s.cause) err.cause = this.eval(s.cause, scope);
        throw err;
      }
      case 'assert':
        if (!this.truthy(this.eval(s.test, scope))) throw new PyError('AssertionError', s.msg ? [this.eval(s.msg, scope)] : []);
        return;
      case 'del':
        for (const t of s.targets) this.del(t, scope);
        return;
      case 'global':
        scope.globalNames ??= new Set();
        s.names.forEach((n) => scope.globalNames!.add(n));
        return;
      case 'nonlocal':
        scope.nonlocalNames ??= new Set();
        s.names.forEach((n) => scope.nonlocalNames!.add(n));
        return;
      case 'import':
        for (const { mod, as } of s.names) {
          const m = this.importModule(mod);
          if (as) this.assignName(as, m, scope);
          else this.assignName(mod.split('.')[0]!, this.importModule(mod.split('.')[0]!), scope);
        }
        return;
      case 'from': {
        const m = this.importModule(s.mod);
        for (const { n, as } of s.names) {
          if (n === '*') throw new PyError('SyntaxError', ['unsupported construct: from ... import *']);
          let v: unknown;
          try {
            v = this.getattr(m, n);
          } catch {
            v = this.importModule(`${s.mod}.${n}`);
          }
          this.assignName(as ?? n, v, scope);
        }
        return;
      }
    }
  }

  importModule(name: string): unknown {
    if (this.modules.has(name)) return this.modules.get(name);
    const parts = name.split('.');
    for (let i = parts.length - 1; i > 0; i--) {
      const head = parts.slice(0, i).join('.');
      if (!this.modules.has(head)) continue;
      let m = this.modules.get(head);
      try {
        for (const p of parts.slice(i)) m = this.getattr(m, p);
      } catch {
        break;
      }
      return m;
    }
    throw new PyError('ModuleNotFoundError', [`No module named '${name}'`]);
  }

  private augAssign(target: Expr, op: string, valueExpr: Expr, scope: Scope): void {
    // evaluate the target's container once, as Python does
    if (target.t === 'sub') {
      const o = this.eval(target.o, scope),
        idx = this.indexValues(target, scope);
      const cur = this.subscript(o, idx, target.tuple);
      const v = this.inplaceOp(op, cur, this.eval(valueExpr, scope));
      this.setSubscript(o, idx, target.tuple, v);
      return;
    }
    if (target.t === 'attr') {
      const o = this.eval(target.o, scope);
      this.setattr(o, target.n, this.inplaceOp(op, this.getattr(o, target.n), this.eval(valueExpr, scope)));
      return;
    }
    const cur = this.eval(target, scope);
    this.assign(target, this.inplaceOp(op, cur, this.eval(valueExpr, scope)), scope);
  }

  private inplaceOp(op: string, cur: unknown, v: unknown): unknown {
    if (Array.isArray(cur) && !isTuple(cur) && op === '+') {
      cur.push(...iterate(this, v));
      return cur;
    }
    if (Array.isArray(cur) && !isTuple(cur) && op === '*') {
      const copy = [...cur];
      cur.length = 0;
      for (let i = 0; i < toJsNumber(v); i++) cur.push(...copy);
      return cur;
    }
    if (cur instanceof PyObject) {
      const m = this.dunderMethod(cur, `__i${dunderName(op)}__`);
      if (m) return this.call(m, [v], {});
    }
    if (!isBuiltinValue(cur)) {
      const r = this.host.inplace?.(op, cur, v);
      if (r !== undefined) return r;
    }
    return this.binop(op, cur, v);
  }

  private decorate(d: unknown, f: unknown): unknown {
    if (d instanceof PyFunction || d instanceof PyClass || typeof d === 'function' || d instanceof PyObject) return this.call(d, [f], {});
    if (d && typeof (d as PyContext).enter === 'function' && f instanceof PyFunction) {
      const ctx = d as PyContext;
      return new PyFunction(f.name, (a, kw) => {
        ctx.enter();
        try {
          return f.fn(a, kw);
        } finally {
          ctx.exit();
        }
      });
    }
    return this.call(d, [f], {});
  }

  private execClass(s: Extract<Stmt, { kind: 'class' }>, scope: Scope): void {
    const { args } = this.evalArgs(s.bases, scope);
    const bases = args.filter((b) => b !== this.builtins.get('object'));
    const cls = new PyClass(s.name, bases);
    const body = new Scope(scope, undefined, true);
    this.execBlock(s.body, body);
    for (const [k, v] of body.vars) {
      if (v instanceof PyFunction) (v as PyFunction & { owner?: PyClass }).owner ??= cls;
      cls.dict.set(k, v);
    }
    let out: unknown = cls;
    for (const d of [...s.decorators].reverse()) out = this.decorate(this.eval(d, scope), out);
    this.assignName(s.name, out, scope);
  }

  private execWith(items: { ctx: Expr; target: Expr | null }[], i: number, body: Stmt[], scope: Scope): void {
    if (i === items.length) {
      this.execBlock(body, scope);
      return;
    }
    const { ctx, target } = items[i]!;
    const mgr = this.eval(ctx, scope);
    let enter: () => unknown, exit: (err: unknown) => unknown;
    if (mgr instanceof PyObject) {
      const en = this.dunderMethod(mgr, '__enter__'),
        ex = this.dunderMethod(mgr, '__exit__');
      if (!en || !ex) throw new PyError('TypeError', [`'${mgr.cls.name}' object does not support the context manager protocol`]);
      enter = () => this.call(en, [], {});
      exit = (err) => this.call(ex, err ? [err instanceof PyError ? err.cls : null, err, null] : [null, null, null], {});
    } else if (mgr && typeof (mgr as PyContext).enter === 'function') {
      const c = mgr as PyContext;
      enter = () => c.enter();
      exit = (err) => c.exit(err ?? undefined);
    } else throw new PyError('TypeError', [`'${this.typeName(mgr)}' object does not support the context manager protocol`]);
    const value = enter();
    if (target) this.assign(target, value === undefined ? mgr : value, scope);
    try {
      this.execWith(items, i + 1, body, scope);
    } catch (e) {
      if (e === BREAK || e === CONTINUE || e instanceof ReturnSignal || e instanceof LimitError) {
        exit(null);
        throw e;
      }
      const pe = this.toPyError(e);
      if (this.truthy(exit(pe))) return;
      throw e;
    }
    exit(null);
  }

  private execTry(s: Extract<Stmt, { kind: 'try' }>, scope: Scope): void {
    try {
      let raised = false;
      try {
        this.execBlock(s.body, scope);
      } catch (e) {
        if (e === BREAK || e === CONTINUE || e instanceof ReturnSignal || e instanceof LimitError) throw e;
        raised = true;
        const pe = this.toPyError(e);
        const h = s.handlers.find((x) => x.type === null || this.matchesException(pe, this.eval(x.type, scope)));
        if (!h) throw e;
        if (h.name) this.assignName(h.name, pe, scope);
        this.handling.push(pe);
        try {
          this.execBlock(h.body, scope);
        } finally {
          this.handling.pop();
          if (h.name) scope.vars.delete(h.name);
        }
      }
      if (!raised) this.execBlock(s.orelse, scope);
    } finally {
      if (s.final.length) this.execBlock(s.final, scope);
    }
  }

  matchesException(e: PyError, t: unknown): boolean {
    if (Array.isArray(t)) return t.some((x) => this.matchesException(e, x));
    if (t instanceof PyClass) return e.cls.isSubclassOf(t);
    throw new PyError('TypeError', ['catching classes that do not inherit from BaseException is not allowed']);
  }

  /** Any thrown value as a Python exception (host errors get a type by name; the original is kept as `cause`). */
  toPyError(e: unknown): PyError {
    if (e instanceof PyError) return e;
    if (e instanceof LimitError) throw e;
    const err = e instanceof Error ? e : new Error(String(e));
    let type = this.host.errorType?.(err);
    if (!type) {
      if (err instanceof SyntaxError && err.message.startsWith('pyeval:')) type = 'SyntaxError';
      else if (err instanceof RangeError && /call stack/.test(err.message)) type = 'RecursionError';
      else if (err instanceof RangeError && /Invalid (typed )?array length|Array buffer allocation/i.test(err.message))
        type = 'MemoryError';
      else if (err instanceof TypeError) type = 'TypeError';
      else type = 'RuntimeError';
    }
    const pe = new PyError(EXCEPTIONS.get(type) ?? EXCEPTIONS.get('RuntimeError')!, [err.message]);
    pe.cause = err;
    pe.stack = err.stack;
    return pe;
  }

  private toRaisable(v: unknown): PyError {
    if (v instanceof PyError) return v;
    if (v instanceof PyClass && v.isSubclassOf(EXCEPTIONS.get('BaseException'))) return this.call(v, [], {}) as PyError;
    throw new PyError('TypeError', ['exceptions must derive from BaseException']);
  }

  // ---- names and assignment --------------------------------------------------------------------------------
  lookup(name: string, scope: Scope): unknown {
    for (let s: Scope | null = scope, first = true; s; s = s.parent, first = false) {
      if (s.isClass && !first) continue;
      if (s.vars.has(name)) return s.vars.get(name);
    }
    if (this.builtins.has(name)) return this.builtins.get(name);
    throw new PyError('NameError', [`name '${name}' is not defined`]);
  }

  assignName(name: string, v: unknown, scope: Scope): void {
    if (scope.globalNames?.has(name)) {
      this.vars.set(name, v);
      return;
    }
    if (scope.nonlocalNames?.has(name)) {
      for (let s = scope.parent; s; s = s.parent)
        if (!s.isClass && s.vars.has(name)) {
          s.vars.set(name, v);
          return;
        }
      throw new PyError('SyntaxError', [`no binding for nonlocal '${name}' found`]);
    }
    scope.vars.set(name, v);
  }

  assign(target: Expr, v: unknown, scope: Scope): void {
    switch (target.t) {
      case 'name':
        this.assignName(target.n, v, scope);
        return;
      case 'tuple':
      case 'list': {
        const items = [...iterate(this, v)];
        const star = target.items.findIndex((x) => x.t === 'starred');
        if (star < 0) {
          if (items.length !== target.items.length) {
            throw new PyError('ValueError', [
              items.length > target.items.length
                ? `too many values to unpack (expected ${target.items.length})`
                : `not enough values to unpack (expected ${target.items.length}, got ${items.length})`,
            ]);
          }
          target.items.forEach((t, i) => this.assign(t, items[i], scope));
          return;
        }
        const after = target.items.length - star - 1;
        if (items.length < target.items.length - 1)
          throw new PyError('ValueError', [
            `not enough values to unpack (expected at least ${target.items.length - 1}, got ${items.length})`,
          ]);
        target.items.slice(0, star).forEach((t, i) => this.assign(t, items[i], scope));
        this.assign((target.items[star] as { e: Expr }).e, items.slice(star, items.length - after), scope);
        target.items.slice(star + 1).forEach((t, i) => this.assign(t, items[items.length - after + i], scope));
        return;
      }
      case 'attr':
        this.setattr(this.eval(target.o, scope), target.n, v);
        return;
      case 'sub':
        this.setSubscript(this.eval(target.o, scope), this.indexValues(target, scope), target.tuple, v);
        return;
      case 'starred':
        throw new PyError('SyntaxError', ['starred assignment target must be in a list or tuple']);
    }
    throw new PyError('SyntaxError', ['cannot assign to expression']);
  }

  private del(target: Expr, scope: Scope): void {
    if (target.t === 'name') {
      if (!scope.vars.delete(target.n)) throw new PyError('NameError', [`name '${target.n}' is not defined`]);
      return;
    }
    if (target.t === 'tuple' || target.t === 'list') {
      target.items.forEach((t) => this.del(t, scope));
      return;
    }
    if (target.t === 'sub') {
      const o = this.eval(target.o, scope),
        idx = this.indexValues(target, scope);
      const key = target.tuple ? tuple(idx) : idx[0];
      if (o instanceof PyDict) {
        o.delete(key);
        return;
      }
      if (Array.isArray(o) && !isTuple(o)) {
        if (key instanceof PySlice) {
          const ids = sliceIndices(key, o.length);
          const drop = new Set(ids);
          const keep = o.filter((_, i) => !drop.has(i));
          o.length = 0;
          o.push(...keep);
          return;
        }
        const i = normIndex(toJsNumber(key), o.length, 'list assignment index out of range');
        o.splice(i, 1);
        return;
      }
      if (o instanceof PyObject) {
        const m = this.dunderMethod(o, '__delitem__');
        if (m) {
          this.call(m, [key], {});
          return;
        }
      }
      throw new PyError('TypeError', [`'${this.typeName(o)}' object doesn't support item deletion`]);
    }
    if (target.t === 'attr') {
      const o = this.eval(target.o, scope);
      if (o instanceof PyObject) {
        if (!o.attrs.delete(target.n)) throw new PyError('AttributeError', [target.n]);
        return;
      }
      delete (o as Record<string, unknown>)[target.n];
      return;
    }
    throw new PyError('SyntaxError', ['cannot delete expression']);
  }

  // ---- expressions -----------------------------------------------------------------------------------------
  eval(n: Expr, scope: Scope): unknown {
    switch (n.t) {
      case 'const':
        return n.v;
      case 'float':
        return new PyFloat(n.v);
      case 'name':
        return this.lookup(n.n, scope);
      case 'attr':
        return this.getattr(this.eval(n.o, scope), n.n);
      case 'call': {
        const f = this.eval(n.f, scope);
        const { args, kw } = this.evalArgs(n.args, scope);
        if (f === this.builtins.get('super') && args.length === 0) return this.zeroArgSuper(scope);
        return this.call(f, args, kw);
      }
      case 'sub':
        return this.subscript(this.eval(n.o, scope), this.indexValues(n, scope), n.tuple);
      case 'slice':
        return new PySlice(n.a ? this.eval(n.a, scope) : null, n.b ? this.eval(n.b, scope) : null, n.c ? this.eval(n.c, scope) : null);
      case 'tuple':
        return tuple(this.evalItems(n.items, scope));
      case 'list':
        return this.evalItems(n.items, scope);
      case 'set':
        return new PySet(this.evalItems(n.items, scope));
      case 'dict': {
        const d = new PyDict();
        for (const [k, v] of n.items) {
          if (k === null) {
            const src = this.eval(v, scope);
            for (const [kk, vv] of dictEntries(this, src)) d.set(kk, vv);
          } else d.set(this.eval(k, scope), this.eval(v, scope));
        }
        return d;
      }
      case 'bool': {
        const a = this.eval(n.a, scope);
        if (n.op === 'and') return this.truthy(a) ? this.eval(n.b, scope) : a;
        return this.truthy(a) ? a : this.eval(n.b, scope);
      }
      case 'not':
        return !this.truthy(this.eval(n.a, scope));
      case 'un':
        return this.unop(n.op, this.eval(n.a, scope));
      case 'bin':
        return this.binop(n.op, this.eval(n.a, scope), this.eval(n.b, scope));
      case 'cmp': {
        let a = this.eval(n.items[0]!, scope);
        let result: unknown = true;
        for (let i = 0; i < n.ops.length; i++) {
          const b = this.eval(n.items[i + 1]!, scope);
          result = this.compare(n.ops[i]!, a, b);
          if (n.ops.length > 1 && !this.truthy(result)) return result;
          a = b;
        }
        return result;
      }
      case 'cond':
        return this.truthy(this.eval(n.cond, scope)) ? this.eval(n.a, scope) : this.eval(n.b, scope);
      case 'lambda':
        return this.makeFunction('<lambda>', n.params, [{ kind: 'return', e: n.body, src: '', line: 0 }], scope, false);
      case 'comp':
        return this.comprehension(n, scope);
      case 'fstr': {
        let s = '';
        for (const p of n.parts) {
          if (typeof p === 'string') {
            s += p;
            continue;
          }
          let v = this.eval(p.e, scope);
          if (p.conv === 'r') v = pyRepr(v);
          else if (p.conv === 's') v = this.str(v);
          else if (p.conv === 'a') v = pyRepr(v);
          const spec = p.spec ? String(this.eval(p.spec, scope)) : '';
          if (p.debug !== undefined) s += p.debug;
          s += p.debug !== undefined && !p.spec && !p.conv ? pyRepr(v) : this.format(v, spec);
        }
        return s;
      }
      case 'starred':
        throw new PyError('SyntaxError', ["can't use starred expression here"]);
      case 'yield': {
        const g = this.generators[this.generators.length - 1];
        if (!g) throw new PyError('SyntaxError', ["'yield' outside function"]);
        if (n.from) {
          for (const x of iterate(this, this.eval(n.e!, scope))) this.pushYield(g, x);
        } else this.pushYield(g, n.e ? this.eval(n.e, scope) : null);
        return null;
      }
      case 'walrus': {
        const v = this.eval(n.e, scope);
        this.assignName(n.n, v, scope);
        return v;
      }
    }
  }

  private pushYield(g: unknown[], v: unknown): void {
    if (g.length >= 100_000)
      throw new LimitError(
        'pyeval: a generator produced more than 100000 values (generators run eagerly; infinite generators are not supported)',
      );
    this.tick();
    g.push(v);
  }

  private evalItems(items: Expr[], scope: Scope): unknown[] {
    const out: unknown[] = [];
    for (const it of items) {
      if (it.t === 'starred') out.push(...iterate(this, this.eval(it.e, scope)));
      else out.push(this.eval(it, scope));
    }
    return out;
  }

  evalArgs(argNodes: Arg[], scope: Scope): { args: unknown[]; kw: Record<string, unknown> } {
    const args: unknown[] = [],
      kw: Record<string, unknown> = {};
    for (const a of argNodes) {
      if (a.kind === 'pos') args.push(this.eval(a.e, scope));
      else if (a.kind === 'star') args.push(...iterate(this, this.eval(a.e, scope)));
      else if (a.kind === 'kw') kw[a.name!] = this.eval(a.e, scope);
      else for (const [k, v] of dictEntries(this, this.eval(a.e, scope))) kw[String(k)] = v;
    }
    return { args, kw };
  }

  private indexValues(n: Extract<Expr, { t: 'sub' }>, scope: Scope): unknown[] {
    return this.evalItems(n.idx, scope);
  }

  private comprehension(n: Extract<Expr, { t: 'comp' }>, scope: Scope): unknown {
    const inner = new Scope(scope);
    const out: unknown[] = [];
    const d = n.kind === 'dict' ? new PyDict() : null;
    const loop = (g: number, iterValue?: unknown): void => {
      if (g === n.gens.length) {
        if (d) d.set(this.eval(n.key!, inner), this.eval(n.elt, inner));
        else out.push(this.eval(n.elt, inner));
        return;
      }
      const gen: CompGen = n.gens[g]!;
      // the first iterable is evaluated in the enclosing scope, as in Python
      const it = g === 0 ? iterValue : this.eval(gen.iter, inner);
      for (const x of iterate(this, it)) {
        this.tick();
        this.assign(gen.target, x, inner);
        if (gen.ifs.every((c) => this.truthy(this.eval(c, inner)))) loop(g + 1);
      }
    };
    loop(0, this.eval(n.gens[0]!.iter, scope));
    if (d) return d;
    if (n.kind === 'set') return new PySet(out);
    if (n.kind === 'gen') return new PyIterator(out[Symbol.iterator](), 'generator');
    return out;
  }

  // ---- functions and calls ---------------------------------------------------------------------------------
  makeFunction(name: string, params: Param[], body: Stmt[], closure: Scope, isGen: boolean): PyFunction {
    const defaults = new Map<string, unknown>();
    for (const p of params) if (p.def) defaults.set(p.name, this.eval(p.def, closure));
    const env = this;
    const f: PyFunction & { owner?: PyClass } = new PyFunction(name, (args, kw) => {
      env.tick();
      if (++env.depth > 400) {
        env.depth--;
        throw new PyError('RecursionError', ['maximum recursion depth exceeded']);
      }
      const frame = new Scope(closure);
      frame.methodClass = f.owner ?? null;
      try {
        bindParams(name, params, defaults, args, kw, frame.vars);
        if (frame.methodClass && params[0]) frame.selfValue = frame.vars.get(params[0].name);
        if (isGen) {
          const collected: unknown[] = [];
          env.generators.push(collected);
          try {
            env.execBlock(body, frame);
          } catch (e) {
            if (!(e instanceof ReturnSignal)) throw e;
          } finally {
            env.generators.pop();
          }
          return new PyIterator(collected[Symbol.iterator](), 'generator');
        }
        env.execBlock(body, frame);
        return null;
      } catch (e) {
        if (e instanceof ReturnSignal) return e.value;
        throw e;
      } finally {
        env.depth--;
      }
    });
    return f;
  }

  call(f: unknown, args: unknown[], kw: Record<string, unknown>): unknown {
    if (f instanceof PyFunction) return f.fn(args, kw);
    if (f instanceof PyClass) return this.instantiate(f, args, kw);
    if (typeof f === 'function') return (f as PyCallable)(args, kw);
    if (f instanceof PyObject) {
      const m = this.dunderMethod(f, '__call__');
      if (m) return this.call(m, args, kw);
    }
    if (f instanceof PyStaticMethod) return this.call(f.f, args, kw);
    if (f !== null && f !== undefined && !isBuiltinValue(f)) {
      const cls = this.hostClass.get(f as object);
      if (cls) {
        const c = cls.lookup('__call__');
        if (c.found) return this.call(c.value, [f, ...args], kw);
      }
      const r = this.host.call?.(f, args, kw);
      if (r) return r.value;
    }
    throw new PyError('TypeError', [`'${this.typeName(f)}' object is not callable`]);
  }

  private instantiate(cls: PyClass, args: unknown[], kw: Record<string, unknown>): unknown {
    const baseExc = EXCEPTIONS.get('BaseException')!;
    if (cls.isSubclassOf(baseExc)) {
      const err = new PyError(cls, args);
      const init = cls.lookup('__init__');
      if (init.found && !init.owner!.builtin) this.call(init.value, [err, ...args], kw);
      return err;
    }
    const newM = cls.lookup('__new__');
    if (newM.found && !newM.owner?.builtin) {
      /* custom __new__ is rare in snippets */
    }
    const hostBase = cls.hostBase();
    let self: unknown;
    if (hostBase !== undefined) {
      if (!this.host.construct) throw new PyError('TypeError', [`cannot subclass host type ${this.typeName(hostBase)}`]);
      self = this.host.construct(hostBase, cls);
      this.hostClass.set(self as object, cls);
    } else self = new PyObject(cls);
    const init = cls.lookup('__init__');
    if (init.found) {
      const r = this.call(init.value, [self, ...args], kw);
      if (r !== null && r !== undefined) throw new PyError('TypeError', ['__init__() should return None']);
    } else if (hostBase === undefined && (args.length || Object.keys(kw).length)) {
      throw new PyError('TypeError', [`${cls.name}() takes no arguments`]);
    }
    return self;
  }

  /** The Python class of a host object created by a Python subclass (so host code can call back into its methods). */
  pythonClassOf(obj: unknown): PyClass | undefined {
    return obj && typeof obj === 'object' ? this.hostClass.get(obj) : undefined;
  }

  private zeroArgSuper(scope: Scope): PySuper {
    for (let s: Scope | null = scope; s; s = s.parent) {
      if (s.methodClass) return new PySuper(s.methodClass, s.selfValue);
    }
    throw new PyError('RuntimeError', ['super(): no arguments']);
  }

  dunderMethod(obj: PyObject | PyError, name: string): unknown {
    const r = (obj instanceof PyObject ? obj.cls : obj.cls).lookup(name);
    if (!r.found || r.owner?.builtin) return undefined;
    return this.bind(r.value, obj, obj instanceof PyObject ? obj.cls : obj.cls);
  }

  private bind(v: unknown, self: unknown, cls: PyClass): unknown {
    if (v instanceof PyStaticMethod) return v.f;
    if (v instanceof PyClassMethod) return new PyFunction((v.f as PyFunction).name, (a, kw) => this.call(v.f, [cls, ...a], kw));
    if (v instanceof PyProperty) return this.call(v.fget, [self], {});
    if (v instanceof PyFunction) return new PyFunction(v.name, (a, kw) => v.fn([self, ...a], kw));
    return v;
  }

  // ---- attributes -------------------------------------------------------------------------------------------
  getattr(obj: unknown, name: string): unknown {
    if (obj instanceof PyObject || obj instanceof PyError) {
      const attrs = obj instanceof PyObject ? obj.attrs : errorAttrs(obj);
      if (attrs.has(name)) return attrs.get(name);
      if (obj instanceof PyError && name === 'args') return tuple(obj.args);
      const r = obj.cls.lookup(name);
      if (r.found && !(obj instanceof PyError && r.owner?.builtin)) return this.bind(r.value, obj, obj.cls);
      if (name === '__class__') return obj.cls;
      if (name === '__dict__' && obj instanceof PyObject) return new PyDict(obj.attrs);
      const ga = obj.cls.lookup('__getattr__');
      if (ga.found && !ga.owner?.builtin) return this.call(this.bind(ga.value, obj, obj.cls), [name], {});
      throw new PyError('AttributeError', [`'${obj.cls.name}' object has no attribute '${name}'`]);
    }
    if (obj instanceof PyClass) {
      const r = obj.lookup(name);
      if (r.found) {
        const v = r.value;
        if (v instanceof PyStaticMethod) return v.f;
        if (v instanceof PyClassMethod) return this.bind(v, obj, obj);
        return v;
      }
      if (name === '__name__' || name === '__qualname__') return obj.name;
      if (name === '__mro__') return tuple(obj.mro());
      if (name === '__bases__') return tuple(obj.bases);
      const hb = obj.hostBase();
      if (hb !== undefined) return this.host.getattr(hb, name);
      throw new PyError('AttributeError', [`type object '${obj.name}' has no attribute '${name}'`]);
    }
    if (obj instanceof PySuper) {
      const mro = (this.classOfValue(obj.self) ?? obj.cls).mro();
      for (const c of mro.slice(mro.indexOf(obj.cls) + 1)) {
        if (c instanceof PyClass) {
          if (c.dict.has(name)) return this.bind(c.dict.get(name), obj.self, c);
          if (c.builtin && name === '__init__')
            return new PyFunction('__init__', (a) => {
              if (obj.self instanceof PyError) {
                obj.self.args.splice(0, obj.self.args.length, ...a);
                obj.self.message = a.length === 1 ? pyStr(a[0]) : a.length ? pyRepr(tuple(a)) : '';
              }
              return null;
            });
          continue;
        }
        // a host base: its __init__ already ran in construct(); other methods come from the host object
        if (name === '__init__') return new PyFunction('__init__', () => null);
        return this.host.getattr(obj.self, name);
      }
      if (name === '__init__') return new PyFunction('__init__', () => null);
      throw new PyError('AttributeError', [`'super' object has no attribute '${name}'`]);
    }
    if (obj instanceof PyFunction) {
      if (name === '__name__' || name === '__qualname__') return obj.name;
      if (name === 'fn') return obj.fn;
      const extra = (obj as unknown as { attrs?: Map<string, unknown> }).attrs;
      if (extra?.has(name)) return extra.get(name);
      if (obj instanceof PyBuiltinType) return obj.attr(name);
      throw new PyError('AttributeError', [`'function' object has no attribute '${name}'`]);
    }
    if (obj instanceof PyProperty && name === 'setter')
      return new PyFunction('setter', (a) => {
        obj.fset = a[0];
        return obj;
      });
    if (isBuiltinValue(obj)) return builtinMethod(this, obj, name);
    const cls = this.hostClass.get(obj as object);
    if (cls) {
      const r = cls.lookup(name);
      if (r.found) return this.bind(r.value, obj, cls);
    }
    return this.host.getattr(obj, name);
  }

  setattr(obj: unknown, name: string, value: unknown): void {
    if (obj instanceof PyObject) {
      const r = obj.cls.lookup(name);
      if (r.found && r.value instanceof PyProperty && r.value.fset) {
        this.call(r.value.fset, [obj, value], {});
        return;
      }
      obj.attrs.set(name, value);
      return;
    }
    if (obj instanceof PyError) {
      errorAttrs(obj).set(name, value);
      return;
    }
    if (obj instanceof PyClass) {
      obj.dict.set(name, value);
      return;
    }
    if (obj instanceof PyFunction) {
      const o = obj as unknown as { attrs?: Map<string, unknown> };
      (o.attrs ??= new Map()).set(name, value);
      return;
    }
    if (isBuiltinValue(obj)) throw new PyError('AttributeError', [`'${this.typeName(obj)}' object attribute '${name}' is read-only`]);
    if (!this.host.setattr) throw new PyError('AttributeError', [`cannot set attribute '${name}'`]);
    this.host.setattr(obj, name, value);
  }

  // ---- subscripts ---------------------------------------------------------------------------------------------
  subscript(o: unknown, idx: unknown[], isTupleIndex: boolean): unknown {
    const key = isTupleIndex ? tuple(idx) : idx[0];
    if (typeof o === 'string' || Array.isArray(o)) {
      if (key instanceof PySlice) {
        const ids = sliceIndices(key, o.length);
        if (typeof o === 'string') return ids.map((i) => o[i]).join('');
        const r = ids.map((i) => o[i]);
        return isTuple(o) ? tuple(r) : r;
      }
      if (isTupleIndex)
        throw new PyError('TypeError', [
          `${typeof o === 'string' ? 'string' : isTuple(o) ? 'tuple' : 'list'} indices must be integers or slices, not tuple`,
        ]);
      const i = indexInt(key, typeof o === 'string' ? 'string' : isTuple(o) ? 'tuple' : 'list');
      return o[normIndex(i, o.length, `${typeof o === 'string' ? 'string' : isTuple(o) ? 'tuple' : 'list'} index out of range`)];
    }
    if (o instanceof PyDict) {
      if (o.has(key)) return o.get(key);
      const missing = (o as PyDict & { defaultFactory?: unknown }).defaultFactory;
      if (missing !== undefined && missing !== null) {
        const v = this.call(missing, [], {});
        o.set(key, v);
        return v;
      }
      return o.get(key);
    }
    if (o instanceof PyRange) {
      if (key instanceof PySlice) throw new PyError('TypeError', ['range slicing is not supported']);
      return o.at(normIndex(indexInt(key, 'range'), o.length, 'range object index out of range'));
    }
    if (o instanceof PyObject) {
      const m = this.dunderMethod(o, '__getitem__');
      if (m) return this.call(m, [key], {});
    }
    if (o instanceof PyClass || o instanceof PyBuiltinType) return o; // typing: list[int], Dict[str, int]
    if (o === null || o === undefined || isBuiltinValue(o))
      throw new PyError('TypeError', [`'${this.typeName(o)}' object is not subscriptable`]);
    const cls = this.hostClass.get(o as object);
    if (cls) {
      const r = cls.lookup('__getitem__');
      if (r.found) return this.call(this.bind(r.value, o, cls), [key], {});
    }
    // host indexing gets the index items; a tuple held in a variable is a multi-index too
    const items = !isTupleIndex && isTuple(key) ? [...key] : idx;
    return this.host.getitem(o, items);
  }

  setSubscript(o: unknown, idx: unknown[], isTupleIndex: boolean, v: unknown): void {
    const key = isTupleIndex ? tuple(idx) : idx[0];
    if (Array.isArray(o) && !isTuple(o)) {
      if (key instanceof PySlice) {
        const vals = [...iterate(this, v)];
        const ids = sliceIndices(key, o.length);
        if (key.step === null || key.step === undefined || toJsNumber(key.step) === 1) {
          const start = ids.length
            ? ids[0]!
            : Math.min(Math.max(key.start === null ? 0 : normSliceBound(toJsNumber(key.start), o.length), 0), o.length);
          o.splice(start, ids.length, ...vals);
        } else {
          if (vals.length !== ids.length)
            throw new PyError('ValueError', [`attempt to assign sequence of size ${vals.length} to extended slice of size ${ids.length}`]);
          ids.forEach((i, k) => {
            o[i] = vals[k];
          });
        }
        return;
      }
      o[normIndex(indexInt(key, 'list'), o.length, 'list assignment index out of range')] = v;
      return;
    }
    if (o instanceof PyDict) {
      o.set(key, v);
      return;
    }
    if (o instanceof PyObject) {
      const m = this.dunderMethod(o, '__setitem__');
      if (m) {
        this.call(m, [key, v], {});
        return;
      }
    }
    if (o === null || o === undefined || isBuiltinValue(o))
      throw new PyError('TypeError', [`'${this.typeName(o)}' object does not support item assignment`]);
    if (!this.host.setitem) throw new PyError('TypeError', ['object does not support item assignment']);
    const items = !isTupleIndex && isTuple(key) ? [...key] : idx;
    this.host.setitem(o, items, v);
  }

  // ---- operators ----------------------------------------------------------------------------------------------
  unop(op: string, a: unknown): unknown {
    if (typeof a === 'number' || typeof a === 'boolean' || a instanceof PyFloat) {
      const x = toJsNumber(a);
      if (op === '-') return isFloatValue(a) ? new PyFloat(-x) : -x || 0;
      if (op === '+') return isFloatValue(a) ? new PyFloat(x) : x;
      if (op === '~') {
        if (isFloatValue(a)) throw new PyError('TypeError', ["bad operand type for unary ~: 'float'"]);
        return ~x;
      }
    }
    if (a instanceof PyObject) {
      const m = this.dunderMethod(a, op === '-' ? '__neg__' : op === '+' ? '__pos__' : '__invert__');
      if (m) return this.call(m, [], {});
    }
    if (isBuiltinValue(a) || a === null || a === undefined)
      throw new PyError('TypeError', [`bad operand type for unary ${op}: '${this.typeName(a)}'`]);
    return this.host.unop(op, a);
  }

  binop(op: string, a: unknown, b: unknown): unknown {
    if (a instanceof PyObject || b instanceof PyObject) {
      const name = dunderName(op);
      if (a instanceof PyObject) {
        const m = this.dunderMethod(a, `__${name}__`);
        if (m) {
          const r = this.call(m, [b], {});
          if (r !== NOT_IMPLEMENTED) return r;
        }
      }
      if (b instanceof PyObject) {
        const m = this.dunderMethod(b, `__r${name}__`);
        if (m) {
          const r = this.call(m, [a], {});
          if (r !== NOT_IMPLEMENTED) return r;
        }
      }
      throw new PyError('TypeError', [`unsupported operand type(s) for ${op}: '${this.typeName(a)}' and '${this.typeName(b)}'`]);
    }
    const builtinA = isBuiltinValue(a) || a === null,
      builtinB = isBuiltinValue(b) || b === null;
    if (builtinA && builtinB) return builtinBinop(this, op, a, b);
    // a builtin list meeting a host object (e.g. list + tensor) is the host's to decide
    return this.host.binop(op, a, b);
  }

  compare(op: string, a: unknown, b: unknown): unknown {
    switch (op) {
      case 'is':
        return isSame(a, b);
      case 'is not':
        return !isSame(a, b);
      case 'in':
        return this.contains(b, a);
      case 'not in':
        return !this.contains(b, a);
    }
    if (a instanceof PyObject || b instanceof PyObject) {
      const names: Record<string, [string, string]> = {
        '==': ['__eq__', '__eq__'],
        '!=': ['__ne__', '__ne__'],
        '<': ['__lt__', '__gt__'],
        '>': ['__gt__', '__lt__'],
        '<=': ['__le__', '__ge__'],
        '>=': ['__ge__', '__le__'],
      };
      const [mine, theirs] = names[op]!;
      if (a instanceof PyObject) {
        const m = this.dunderMethod(a, mine);
        if (m) return this.call(m, [b], {});
      }
      if (b instanceof PyObject) {
        const m = this.dunderMethod(b, theirs);
        if (m) return this.call(m, [a], {});
      }
      if (op === '==') return a === b;
      if (op === '!=') return a !== b;
      throw new PyError('TypeError', [`'${op}' not supported between instances of '${this.typeName(a)}' and '${this.typeName(b)}'`]);
    }
    const builtinA = isBuiltinValue(a) || a === null || a === undefined,
      builtinB = isBuiltinValue(b) || b === null || b === undefined;
    if (builtinA && builtinB) {
      if (op === '==') return pyEquals(a, b);
      if (op === '!=') return !pyEquals(a, b);
      const c = pyCompare(this, a, b, op);
      return op === '<' ? c < 0 : op === '>' ? c > 0 : op === '<=' ? c <= 0 : c >= 0;
    }
    if (
      (op === '==' || op === '!=') &&
      (a === null ||
        a === undefined ||
        b === null ||
        b === undefined ||
        a instanceof PyClass ||
        b instanceof PyClass ||
        a instanceof PyFunction ||
        b instanceof PyFunction)
    ) {
      return op === '==' ? a === b : a !== b;
    }
    return this.host.binop(op, a, b);
  }

  contains(container: unknown, x: unknown): boolean {
    if (typeof container === 'string') {
      if (typeof x !== 'string') throw new PyError('TypeError', ["'in <string>' requires string as left operand"]);
      return container.includes(x);
    }
    if (container instanceof PyDict) return container.has(x);
    if (container instanceof PySet) return container.has(x);
    if (container instanceof PyRange) {
      const v = toJsNumber(x);
      return (
        Number.isInteger(v) &&
        [...Array(0)].length === 0 &&
        (container.step > 0 ? v >= container.start && v < container.stop : v <= container.start && v > container.stop) &&
        (v - container.start) % container.step === 0
      );
    }
    if (container instanceof PyObject) {
      const m = this.dunderMethod(container, '__contains__');
      if (m) return this.truthy(this.call(m, [x], {}));
    }
    if (Array.isArray(container) || container instanceof PyIterator || container instanceof PyObject) {
      for (const y of iterate(this, container)) if (isSame(x, y) || this.truthy(this.compare('==', x, y))) return true;
      return false;
    }
    return this.truthy(this.host.binop('in', x, container));
  }

  // ---- conversions ---------------------------------------------------------------------------------------------
  truthy(v: unknown): boolean {
    if (v === null || v === undefined || v === false) return false;
    if (v === true) return true;
    if (typeof v === 'number') return v !== 0;
    if (v instanceof PyFloat) return v.v !== 0;
    if (typeof v === 'string' || Array.isArray(v)) return v.length > 0;
    if (v instanceof PyDict || v instanceof PySet) return v.size > 0;
    if (v instanceof PyRange) return v.length > 0;
    if (v instanceof PyObject) {
      const b = this.dunderMethod(v, '__bool__');
      if (b) return this.truthy(this.call(b, [], {}));
      const l = this.dunderMethod(v, '__len__');
      if (l) return toJsNumber(this.call(l, [], {})) > 0;
      return true;
    }
    if (isBuiltinValue(v)) return true;
    const h = this.host.truthy?.(v);
    return h === undefined ? true : h;
  }

  str(v: unknown): string {
    if (v instanceof PyObject) {
      const m = this.dunderMethod(v, '__str__') ?? this.dunderMethod(v, '__repr__');
      if (m) return String(this.call(m, [], {}));
    }
    if (v instanceof PyError && v.instance === null) {
      const m = this.dunderMethod(v, '__str__');
      if (m) return String(this.call(m, [], {}));
    }
    return pyStr(v);
  }
  repr(v: unknown): string {
    if (v instanceof PyObject) {
      const m = this.dunderMethod(v, '__repr__');
      if (m) return String(this.call(m, [], {}));
    }
    return pyRepr(v);
  }
  private hostStr(v: unknown, kind: 'str' | 'repr'): string | undefined {
    if (v instanceof PyFunction) return `<function ${v.name}>`;
    if (v instanceof PyIterator) return `<${v.kind} object>`;
    if (v instanceof PyStaticMethod || v instanceof PyClassMethod || v instanceof PyProperty) return `<${v.constructor.name}>`;
    const cls = v && typeof v === 'object' ? this.hostClass.get(v) : undefined;
    if (cls) {
      const m = cls.lookup(kind === 'str' ? '__str__' : '__repr__');
      if (m.found) return String(this.call(this.bind(m.value, v, cls), [], {}));
    }
    return kind === 'str' ? this.host.str?.(v) : this.host.repr?.(v);
  }
  format(v: unknown, spec: string): string {
    if (v instanceof PyObject) {
      const m = this.dunderMethod(v, '__format__');
      if (m) return String(this.call(m, [spec], {}));
      return formatSpec(this.str(v), spec);
    }
    if (isBuiltinValue(v) || v === null || v === undefined) return formatSpec(v, spec);
    const h = this.host.format?.(v, spec);
    if (h !== undefined) return h;
    if (spec) throw new PyError('TypeError', [`unsupported format string passed to ${this.typeName(v)}.__format__`]);
    return this.str(v);
  }

  typeName(v: unknown): string {
    if (v === null || v === undefined) return 'NoneType';
    if (typeof v === 'boolean') return 'bool';
    if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
    if (v instanceof PyFloat) return 'float';
    if (typeof v === 'string') return 'str';
    if (Array.isArray(v)) return isTuple(v) ? 'tuple' : 'list';
    if (v instanceof PyDict) return v.ordered ? 'OrderedDict' : 'dict';
    if (v instanceof PySet) return v.frozen ? 'frozenset' : 'set';
    if (v instanceof PyRange) return 'range';
    if (v instanceof PyIterator) return v.kind;
    if (v instanceof PyFunction) return v instanceof PyBuiltinType ? 'type' : 'function';
    if (v instanceof PyObject) return v.cls.name;
    if (v instanceof PyError) return v.cls.name;
    if (v instanceof PyClass) return 'type';
    if (v instanceof PySlice) return 'slice';
    const cls = typeof v === 'object' ? this.hostClass.get(v) : undefined;
    if (cls) return cls.name;
    const t = this.host.typeOf?.(v) as { __name__?: string } | undefined;
    if (t && typeof t === 'object' && typeof t.__name__ === 'string') return t.__name__;
    if (typeof t === 'function') return (t as { name: string }).name;
    return (v as object).constructor?.name ?? typeof v;
  }

  classOfValue(v: unknown): PyClass | undefined {
    if (v instanceof PyObject || v instanceof PyError) return v.cls;
    return v && typeof v === 'object' ? this.hostClass.get(v) : undefined;
  }

  // decorator helpers for builtins
  staticmethod(f: unknown): unknown {
    return new PyStaticMethod(f);
  }
  classmethod(f: unknown): unknown {
    return new PyClassMethod(f);
  }
  property(fget: unknown, fset: unknown = null): unknown {
    return new PyProperty(fget, fset);
  }
  superOf(cls: PyClass, self: unknown): unknown {
    return new PySuper(cls, self);
  }
}

export const NOT_IMPLEMENTED = Object.freeze({ __notimplemented__: true });

const errorAttrStore = new WeakMap<PyError, Map<string, unknown>>();
function errorAttrs(e: PyError): Map<string, unknown> {
  let m = errorAttrStore.get(e);
  if (!m) {
    m = new Map();
    errorAttrStore.set(e, m);
  }
  return m;
}

function isSame(a: unknown, b: unknown): boolean {
  if ((a === null || a === undefined) && (b === null || b === undefined)) return true;
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  return a === b;
}

/** Values whose behaviour the evaluator defines itself (everything else goes through the host). */
export function isBuiltinValue(v: unknown): boolean {
  return (
    typeof v === 'number' ||
    typeof v === 'string' ||
    typeof v === 'boolean' ||
    v instanceof PyFloat ||
    Array.isArray(v) ||
    v instanceof PyDict ||
    v instanceof PySet ||
    v instanceof PyRange ||
    v instanceof PyIterator ||
    v instanceof PySlice
  );
}

function dunderName(op: string): string {
  const m: Record<string, string> = {
    '+': 'add',
    '-': 'sub',
    '*': 'mul',
    '/': 'truediv',
    '//': 'floordiv',
    '%': 'mod',
    '**': 'pow',
    '@': 'matmul',
    '&': 'and',
    '|': 'or',
    '^': 'xor',
    '<<': 'lshift',
    '>>': 'rshift',
  };
  return m[op] ?? op;
}

function bindParams(
  fname: string,
  params: Param[],
  defaults: Map<string, unknown>,
  args: unknown[],
  kw: Record<string, unknown>,
  vars: Map<string, unknown>,
): void {
  let ai = 0;
  const kwLeft = { ...kw };
  for (const p of params) {
    if (p.kind === 'pos') {
      if (ai < args.length) {
        if (p.name in kwLeft) throw new PyError('TypeError', [`${fname}() got multiple values for argument '${p.name}'`]);
        vars.set(p.name, args[ai++]);
      } else if (p.name in kwLeft) {
        vars.set(p.name, kwLeft[p.name]);
        delete kwLeft[p.name];
      } else if (defaults.has(p.name)) vars.set(p.name, defaults.get(p.name));
      else throw new PyError('TypeError', [`${fname}() missing 1 required positional argument: '${p.name}'`]);
    } else if (p.kind === 'varargs') {
      vars.set(p.name, tuple(args.slice(ai)));
      ai = args.length;
    } else if (p.kind === 'kwonly') {
      if (p.name in kwLeft) {
        vars.set(p.name, kwLeft[p.name]);
        delete kwLeft[p.name];
      } else if (defaults.has(p.name)) vars.set(p.name, defaults.get(p.name));
      else throw new PyError('TypeError', [`${fname}() missing 1 required keyword-only argument: '${p.name}'`]);
    } else {
      vars.set(p.name, new PyDict(Object.entries(kwLeft)));
      for (const k of Object.keys(kwLeft)) delete kwLeft[k];
    }
  }
  if (ai < args.length) {
    const npos = params.filter((p) => p.kind === 'pos').length;
    throw new PyError('TypeError', [
      `${fname}() takes ${npos} positional argument${npos === 1 ? '' : 's'} but ${args.length} ${args.length === 1 ? 'was' : 'were'} given`,
    ]);
  }
  const extra = Object.keys(kwLeft);
  if (extra.length) throw new PyError('TypeError', [`${fname}() got an unexpected keyword argument '${extra[0]}'`]);
}

export function normIndex(i: number, n: number, msg: string): number {
  const j = i < 0 ? i + n : i;
  if (j < 0 || j >= n) throw new PyError('IndexError', [msg]);
  return j;
}
function normSliceBound(v: number, n: number): number {
  return v < 0 ? Math.max(0, v + n) : Math.min(v, n);
}
export function sliceIndices(s: PySlice, n: number): number[] {
  const step = s.step === null || s.step === undefined ? 1 : toJsNumber(s.step);
  if (step === 0) throw new PyError('ValueError', ['slice step cannot be zero']);
  const out: number[] = [];
  if (step > 0) {
    const start = s.start === null || s.start === undefined ? 0 : normSliceBound(toJsNumber(s.start), n);
    const stop = s.stop === null || s.stop === undefined ? n : normSliceBound(toJsNumber(s.stop), n);
    for (let i = start; i < stop; i += step) out.push(i);
  } else {
    const clampHi = (v: number) => (v < 0 ? Math.max(-1, v + n) : Math.min(v, n - 1));
    const start = s.start === null || s.start === undefined ? n - 1 : clampHi(toJsNumber(s.start));
    const stop = s.stop === null || s.stop === undefined ? -1 : clampHi(toJsNumber(s.stop));
    for (let i = start; i > stop; i += step) out.push(i);
  }
  return out;
}
function indexInt(k: unknown, what: string): number {
  if (typeof k === 'boolean') return k ? 1 : 0;
  if (typeof k === 'number' && Number.isInteger(k)) return k;
  const n = (k as { __index__?: () => number })?.__index__?.();
  if (typeof n === 'number') return n;
  throw new PyError('TypeError', [
    `${what} indices must be integers or slices, not ${k instanceof PyFloat || typeof k === 'number' ? 'float' : typeof k === 'string' ? 'str' : 'object'}`,
  ]);
}

export { dictEntries, scalarBinop };

/** Python truthiness of builtin values (host objects are truthy). */
export function truthy(v: unknown): boolean {
  if (v instanceof PyFloat) return v.v !== 0;
  if (Array.isArray(v) || typeof v === 'string') return v.length > 0;
  if (v instanceof PyDict || v instanceof PySet) return v.size > 0;
  return Boolean(v);
}
