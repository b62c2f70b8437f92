// A tiny Python-subset evaluator for the oracle's `python` snippets: literals (ints and floats kept apart),
// names, attribute access, calls with keywords, subscripts with slices, lists/tuples/dicts, arithmetic and
// comparison operators, `a, = ...` unpacking, `;`-separated statements and `with ...:` blocks.
// Runners supply the environment (torch namespace, tensors); this file knows no torch semantics.

/** A Python float (JS numbers alone cannot tell 2.0 from 2). */
export class PyFloat { constructor(readonly v: number) {} valueOf(): number { return this.v; } }
/** A Python slice inside a subscript. */
export class PySlice { constructor(readonly start: unknown, readonly stop: unknown, readonly step: unknown) {} }
/** A call target: receives positional args and keyword args. */
export type PyCallable = (args: unknown[], kwargs: Record<string, unknown>) => unknown;
export class PyFunction { constructor(readonly name: string, readonly fn: PyCallable) {} }
/** A context manager for `with`. */
export interface PyContext { enter(): void; exit(): void }

/** Hooks the environment provides for objects the evaluator does not understand. */
export interface Host {
  getattr(obj: unknown, name: string): unknown;
  setattr?(obj: unknown, name: string, value: unknown): void;
  getitem(obj: unknown, index: unknown[]): unknown;
  setitem?(obj: unknown, index: unknown[], value: unknown): void;
  /** Augmented assignment (`x += y`): in place where the object supports it, else undefined. */
  inplace?(op: string, target: unknown, value: unknown): unknown;
  binop(op: string, a: unknown, b: unknown): unknown;
  unop(op: string, a: unknown): unknown;
}

type Tok = { k: 'num' | 'str' | 'name' | 'op' | 'nl' | 'end'; v: string };

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  const ops = ['**', '//', '==', '!=', '<=', '>=', '->', '+=', '-=', '*=', '/='];
  while (i < src.length) {
    const c = src[i]!;
    if (c === '#') { while (i < src.length && src[i] !== '\n') i++; continue; }
    if (c === '\n' || c === ';') { out.push({ k: 'nl', v: c }); i++; continue; }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\\') { i++; continue; }
    if (src.startsWith('...', i)) { out.push({ k: 'name', v: 'Ellipsis' }); i += 3; continue; }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^(\d+\.?\d*(e[+-]?\d+)?|\.\d+(e[+-]?\d+)?)/i.exec(src.slice(i))!;
      out.push({ k: 'num', v: m[0] }); i += m[0].length; continue;
    }
    if (c === "'" || c === '"') {
      let j = i + 1, s = '';
      while (src[j] !== c) { if (src[j] === '\\') { s += src[j + 1]; j += 2; } else s += src[j++]; }
      out.push({ k: 'str', v: s }); i = j + 1; continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z_0-9]*/.exec(src.slice(i))!;
      out.push({ k: 'name', v: m[0] }); i += m[0].length; continue;
    }
    const two = src.slice(i, i + 2);
    if (ops.includes(two)) { out.push({ k: 'op', v: two }); i += 2; continue; }
    out.push({ k: 'op', v: c }); i++;
  }
  out.push({ k: 'end', v: '' });
  return out;
}

type Node =
  | { t: 'lit'; v: unknown } | { t: 'name'; n: string } | { t: 'attr'; o: Node; n: string }
  | { t: 'call'; f: Node; args: Node[]; kw: [string, Node][]; star: Node[] } | { t: 'sub'; o: Node; idx: Node[] }
  | { t: 'slice'; a: Node | null; b: Node | null; c: Node | null } | { t: 'list'; items: Node[]; tuple: boolean }
  | { t: 'dict'; items: [Node, Node][] } | { t: 'bin'; op: string; a: Node; b: Node } | { t: 'un'; op: string; a: Node }
  | { t: 'comp'; elt: Node; v: string; it: Node } | { t: 'lambda'; params: string[]; body: Node }
  | { t: 'cond'; cond: Node; a: Node; b: Node };

class Parser {
  p = 0;
  constructor(readonly toks: Tok[]) {}
  peek(o = 0): Tok { return this.toks[this.p + o]!; }
  next(): Tok { return this.toks[this.p++]!; }
  is(v: string): boolean { const t = this.peek(); return (t.k === 'op' || t.k === 'name') && t.v === v; }
  eat(v: string): void { const t = this.next(); if (t.v !== v) throw new SyntaxError(`pyeval: expected '${v}' but got '${t.v}'`); }

  exprList(): Node {
    const first = this.expr();
    if (!this.is(',')) return first;
    const items = [first];
    while (this.is(',')) { this.next(); if (this.atEndOfList()) break; items.push(this.expr()); }
    return { t: 'list', items, tuple: true };
  }
  atEndOfList(): boolean { const t = this.peek(); return t.k === 'nl' || t.k === 'end' || (t.k === 'op' && [')', ']', '=', '}', ':'].includes(t.v)); }
  expr(): Node {
    const a = this.or();
    if (!this.is('if')) return a;
    this.next();
    const cond = this.or();
    this.eat('else');
    return { t: 'cond', cond, a, b: this.expr() };
  }
  or(): Node { let a = this.and(); while (this.is('or')) { this.next(); a = { t: 'bin', op: 'or', a, b: this.and() }; } return a; }
  and(): Node { let a = this.not(); while (this.is('and')) { this.next(); a = { t: 'bin', op: 'and', a, b: this.not() }; } return a; }
  not(): Node { if (this.is('not')) { this.next(); return { t: 'un', op: 'not', a: this.not() }; } return this.cmp(); }
  cmp(): Node {
    let a = this.bitor();
    for (;;) {
      const t = this.peek();
      if (t.k === 'op' && ['==', '!=', '<', '>', '<=', '>='].includes(t.v)) { this.next(); a = { t: 'bin', op: t.v, a, b: this.bitor() }; }
      else if (t.k === 'name' && t.v === 'is') {
        this.next();
        const neg = this.is('not'); if (neg) this.next();
        a = { t: 'bin', op: neg ? 'is not' : 'is', a, b: this.bitor() };
      } else if (t.k === 'name' && t.v === 'in') { this.next(); a = { t: 'bin', op: 'in', a, b: this.bitor() }; }
      else return a;
    }
  }
  bitor(): Node { let a = this.bitand(); while (this.is('|')) { this.next(); a = { t: 'bin', op: '|', a, b: this.bitand() }; } return a; }
  bitand(): Node { let a = this.arith(); while (this.is('&')) { this.next(); a = { t: 'bin', op: '&', a, b: this.arith() }; } return a; }
  arith(): Node {
    let a = this.term();
    while (this.is('+') || this.is('-')) { const op = this.next().v; a = { t: 'bin', op, a, b: this.term() }; }
    return a;
  }
  term(): Node {
    let a = this.unary();
    while (['*', '/', '//', '%', '@'].some((o) => this.is(o))) { const op = this.next().v; a = { t: 'bin', op, a, b: this.unary() }; }
    return a;
  }
  unary(): Node {
    if (this.is('-') || this.is('+') || this.is('~')) { const op = this.next().v; return { t: 'un', op, a: this.unary() }; }
    return this.power();
  }
  power(): Node {
    const a = this.postfix();
    if (this.is('**')) { this.next(); return { t: 'bin', op: '**', a, b: this.unary() }; }
    return a;
  }
  postfix(): Node {
    let a = this.atom();
    for (;;) {
      if (this.is('.')) { this.next(); a = { t: 'attr', o: a, n: this.next().v }; }
      else if (this.is('(')) {
        this.next();
        const args: Node[] = [], kw: [string, Node][] = [], star: Node[] = [];
        while (!this.is(')')) {
          if (this.peek().k === 'name' && this.peek(1).v === '=' ) { const n = this.next().v; this.next(); kw.push([n, this.expr()]); }
          else if (this.is('*')) { this.next(); star.push(this.expr()); }
          else {
            const e = this.expr();
            if (this.is('for')) args.push(this.comprehension(e)); else args.push(e);
          }
          if (this.is(',')) this.next();
        }
        this.next();
        a = { t: 'call', f: a, args, kw, star };
      } else if (this.is('[')) {
        this.next();
        const idx: Node[] = [];
        while (!this.is(']')) { idx.push(this.sliceItem()); if (this.is(',')) this.next(); }
        this.next();
        a = { t: 'sub', o: a, idx };
      } else return a;
    }
  }
  sliceItem(): Node {
    const part = (): Node | null => (this.is(':') || this.is(']') || this.is(',') ? null : this.expr());
    const a = part();
    if (!this.is(':')) return a!;
    this.next();
    const b = part();
    let c: Node | null = null;
    if (this.is(':')) { this.next(); c = part(); }
    return { t: 'slice', a, b, c };
  }
  comprehension(elt: Node): Node {
    this.eat('for');
    const v = this.next().v;
    this.eat('in');
    return { t: 'comp', elt, v, it: this.or() };
  }
  atom(): Node {
    const t = this.next();
    if (t.k === 'num') return { t: 'lit', v: /[.e]/i.test(t.v) ? new PyFloat(Number(t.v)) : Number(t.v) };
    if (t.k === 'str') return { t: 'lit', v: t.v };
    if (t.k === 'name') {
      if (t.v === 'True') return { t: 'lit', v: true };
      if (t.v === 'False') return { t: 'lit', v: false };
      if (t.v === 'None') return { t: 'lit', v: null };
      if (t.v === 'Ellipsis') return { t: 'lit', v: '...' };
      if (t.v === 'lambda') {
        const params: string[] = [];
        while (!this.is(':')) { params.push(this.next().v); if (this.is(',')) this.next(); }
        this.next();
        return { t: 'lambda', params, body: this.expr() };
      }
      return { t: 'name', n: t.v };
    }
    if (t.v === '(') {
      if (this.is(')')) { this.next(); return { t: 'list', items: [], tuple: true }; }
      const e = this.expr();
      if (this.is('for')) { const c = this.comprehension(e); this.eat(')'); return c; }
      if (this.is(')')) { this.next(); return e; }
      const items = [e];
      while (this.is(',')) { this.next(); if (this.is(')')) break; items.push(this.expr()); }
      this.eat(')');
      return { t: 'list', items, tuple: true };
    }
    if (t.v === '[') {
      const items: Node[] = [];
      while (!this.is(']')) {
        const e = this.expr();
        if (this.is('for')) { const c = this.comprehension(e); this.eat(']'); return c; }
        items.push(e);
        if (this.is(',')) this.next();
      }
      this.next();
      return { t: 'list', items, tuple: false };
    }
    if (t.v === '{') {
      const items: [Node, Node][] = [];
      while (!this.is('}')) { const k = this.expr(); this.eat(':'); items.push([k, this.expr()]); if (this.is(',')) this.next(); }
      this.next();
      return { t: 'dict', items };
    }
    throw new SyntaxError(`pyeval: unexpected token '${t.v}'`);
  }
}

/** Statements: assignments, expressions, `with`/`for`/`if` blocks, `def` (with decorators) and `return`. */
type Stmt = { kind: 'expr'; e: Node; src: string } | { kind: 'assign'; targets: Node; e: Node; src: string; op?: string }
  | { kind: 'with'; ctx: Node; body: Stmt[]; src: string } | { kind: 'for'; v: Node; it: Node; body: Stmt[]; src: string }
  | { kind: 'if'; branches: { cond: Node | null; body: Stmt[] }[]; src: string }
  | { kind: 'def'; name: string; params: string[]; body: Stmt[]; decorators: Node[]; src: string }
  | { kind: 'return'; e: Node | null; src: string } | { kind: 'pass'; src: string };

/** Thrown by `return` and caught by the function call. */
class ReturnSignal { constructor(readonly value: unknown) {} }

/**
 * Parse a snippet into statements: newlines and ';' separate; a block header (`with`, `for`, `if`/`elif`/`else`,
 * `def`) takes the rest of its line or the following more-indented lines.
 */
export function parseProgram(src: string): Stmt[] {
  const lines = src.split('\n').filter((l) => l.trim() !== '' && !/^\s*#/.test(l));
  const stmts: Stmt[] = [];
  let decorators: Node[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    const deco = /^\s*@(.*)$/.exec(line);
    if (deco) { decorators.push(new Parser(tokenize(deco[1]!)).expr()); i++; continue; }
    const m = /^(\s*)(with|for|if|elif|else|def|while)\b\s*(.*?):\s*(.*)$/.exec(line);
    if (m) {
      const body: Stmt[] = [];
      if (m[4]!.trim()) body.push(...parseLine(m[4]!));
      i++;
      const block: string[] = [];
      while (i < lines.length && /^\s+\S/.test(lines[i]!) && lines[i]!.search(/\S/) > m[1]!.length) { block.push(lines[i]!); i++; }
      if (block.length) {
        const indent = Math.min(...block.map((l) => l.search(/\S/)));
        body.push(...parseProgram(block.map((l) => l.slice(indent)).join('\n')));
      }
      const head = m[3]!;
      switch (m[2]) {
        case 'with': stmts.push({ kind: 'with', ctx: new Parser(tokenize(head)).expr(), body, src: line }); break;
        case 'for': {
          const fm = /^(.*?)\s+in\s+(.*)$/.exec(head)!;
          stmts.push({ kind: 'for', v: new Parser(tokenize(fm[1]!)).exprList(), it: new Parser(tokenize(fm[2]!)).expr(), body, src: line });
          break;
        }
        case 'if': stmts.push({ kind: 'if', branches: [{ cond: new Parser(tokenize(head)).expr(), body }], src: line }); break;
        case 'elif': case 'else': {
          const prev = stmts[stmts.length - 1];
          if (!prev || prev.kind !== 'if') throw new SyntaxError(`pyeval: '${m[2]}' without 'if'`);
          prev.branches.push({ cond: m[2] === 'elif' ? new Parser(tokenize(head)).expr() : null, body });
          break;
        }
        case 'def': {
          const dm = /^(\w+)\s*\((.*)\)\s*(->.*)?$/.exec(head)!;
          const params = dm[2]!.split(',').map((x) => x.trim().split(/[:=]/)[0]!.trim()).filter((x) => x);
          stmts.push({ kind: 'def', name: dm[1]!, params, body, decorators, src: line });
          decorators = [];
          break;
        }
        default: throw new SyntaxError('pyeval: while loops are not supported');
      }
      continue;
    }
    stmts.push(...parseLine(line));
    i++;
  }
  return stmts;
}

function parseLine(line: string): Stmt[] {
  const out: Stmt[] = [];
  const toks = tokenize(line);
  const p = new Parser(toks);
  while (p.peek().k !== 'end') {
    if (p.peek().k === 'nl') { p.next(); continue; }
    const start = p.p;
    const kw = p.peek().k === 'name' ? p.peek().v : '';
    if (kw === 'return') {
      p.next();
      const e = p.peek().k === 'nl' || p.peek().k === 'end' ? null : p.exprList();
      out.push({ kind: 'return', e, src: line });
      continue;
    }
    if (kw === 'pass' || kw === 'del' || kw === 'assert') {
      p.next();
      const e = p.peek().k === 'nl' || p.peek().k === 'end' ? null : p.exprList();
      if (kw === 'assert' && e) out.push({ kind: 'expr', e: { t: 'call', f: { t: 'name', n: '__assert__' }, args: [e], kw: [], star: [] }, src: line });
      else out.push({ kind: 'pass', src: line });
      continue;
    }
    const e = p.exprList();
    const src = toks.slice(start, p.p).map((t) => t.v).join(' ');
    if (p.is('=') || p.is('+=') || p.is('-=') || p.is('*=') || p.is('/=')) {
      const op = p.next().v;
      const rhs = p.exprList();
      out.push({ kind: 'assign', targets: e, e: rhs, src, op: op === '=' ? undefined : op[0] });
    } else out.push({ kind: 'expr', e, src });
  }
  return out;
}

/** Evaluation environment. */
export class PyEnv {
  vars = new Map<string, unknown>();
  /** Hook after each top-level statement (for scenario snapshots). */
  onStatement?: (s: Stmt, error: unknown) => void;
  constructor(readonly host: Host) {}

  /** Run a program; returns the value of the last expression statement. */
  run(src: string, opts: { continueOnError?: boolean } = {}): unknown {
    let last: unknown;
    for (const s of parseProgram(src)) {
      try {
        last = this.exec(s);
        this.onStatement?.(s, null);
      } catch (err) {
        if (!opts.continueOnError) throw err;
        this.onStatement?.(s, err);
      }
    }
    return last;
  }

  exec(s: Stmt): unknown {
    if (s.kind === 'expr') return this.eval(s.e);
    if (s.kind === 'with') {
      const ctx = this.eval(s.ctx) as PyContext;
      ctx.enter();
      try { let r: unknown; for (const b of s.body) r = this.exec(b); return r; } finally { ctx.exit(); }
    }
    if (s.kind === 'for') {
      for (const x of this.eval(s.it) as unknown[]) { this.assign(s.v, x); for (const b of s.body) this.exec(b); }
      return undefined;
    }
    if (s.kind === 'if') {
      for (const br of s.branches) {
        if (br.cond === null || truthy(this.eval(br.cond))) { for (const b of br.body) this.exec(b); break; }
      }
      return undefined;
    }
    if (s.kind === 'pass') return undefined;
    if (s.kind === 'return') throw new ReturnSignal(s.e ? this.eval(s.e) : null);
    if (s.kind === 'def') {
      const def = s;
      let f: unknown = new PyFunction(def.name, (args) => {
        const saved = def.params.map((p) => [this.vars.has(p), this.vars.get(p)] as const);
        def.params.forEach((p, i) => this.vars.set(p, args[i]));
        try {
          for (const b of def.body) this.exec(b);
          return null;
        } catch (e) {
          if (e instanceof ReturnSignal) return e.value;
          throw e;
        } finally {
          def.params.forEach((p, i) => { if (saved[i]![0]) this.vars.set(p, saved[i]![1]); else this.vars.delete(p); });
        }
      });
      for (const d of [...def.decorators].reverse()) {
        const dv = this.eval(d);
        const inner = f as PyFunction;
        if (dv instanceof PyFunction) f = dv.fn([inner], {});
        else if (dv && typeof (dv as PyContext).enter === 'function') {
          const ctx = dv as PyContext;
          f = new PyFunction(inner.name, (a, kw) => { ctx.enter(); try { return inner.fn(a, kw); } finally { ctx.exit(); } });
        }
      }
      this.vars.set(def.name, f);
      return undefined;
    }
    let v = this.eval(s.e);
    if (s.op) {
      const cur = this.eval(s.targets);
      const r = this.host.inplace?.(s.op, cur, v);
      v = r !== undefined ? r : this.host.binop(s.op, cur, v);
    }
    this.assign(s.targets, v);
    return undefined;
  }

  assign(target: Node, v: unknown): void {
    if (target.t === 'name') { this.vars.set(target.n, v); return; }
    if (target.t === 'list') {
      const arr = v as unknown[];
      if (!Array.isArray(arr) || arr.length !== target.items.length) throw new TypeError(`pyeval: cannot unpack ${Array.isArray(arr) ? arr.length : typeof arr} values into ${target.items.length}`);
      target.items.forEach((t, i) => this.assign(t, arr[i]));
      return;
    }
    if (target.t === 'attr' && this.host.setattr) { this.host.setattr(this.eval(target.o), target.n, v); return; }
    if (target.t === 'sub' && this.host.setitem) { this.host.setitem(this.eval(target.o), target.idx.map((i) => this.eval(i)), v); return; }
    throw new SyntaxError('pyeval: unsupported assignment target');
  }

  eval(n: Node): unknown {
    switch (n.t) {
      case 'lit': return n.v;
      case 'name': {
        if (!this.vars.has(n.n)) throw new ReferenceError(`pyeval: name '${n.n}' is not defined`);
        return this.vars.get(n.n);
      }
      case 'attr': return this.host.getattr(this.eval(n.o), n.n);
      case 'call': {
        const f = this.eval(n.f);
        const args = n.args.map((a) => this.eval(a));
        for (const s of n.star) args.push(...(this.eval(s) as unknown[]));
        const kw: Record<string, unknown> = {};
        for (const [k, v] of n.kw) kw[k] = this.eval(v);
        if (f instanceof PyFunction) return f.fn(args, kw);
        if (typeof f === 'function') return (f as PyCallable)(args, kw);
        throw new TypeError(`pyeval: object is not callable: ${String(f)}`);
      }
      case 'sub': return this.host.getitem(this.eval(n.o), n.idx.map((i) => this.eval(i)));
      case 'slice': return new PySlice(n.a ? this.eval(n.a) : null, n.b ? this.eval(n.b) : null, n.c ? this.eval(n.c) : null);
      case 'list': { const items = n.items.map((i) => this.eval(i)); return items; }
      case 'dict': { const o: Record<string, unknown> = {}; for (const [k, v] of n.items) o[String(this.eval(k))] = this.eval(v); return o; }
      case 'cond': return truthy(this.eval(n.cond)) ? this.eval(n.a) : this.eval(n.b);
      case 'lambda': {
        const node = n;
        return new PyFunction('lambda', (args) => {
          const saved = node.params.map((p) => this.vars.get(p));
          node.params.forEach((p, i) => this.vars.set(p, args[i]));
          try { return this.eval(node.body); } finally { node.params.forEach((p, i) => this.vars.set(p, saved[i])); }
        });
      }
      case 'comp': {
        const it = this.eval(n.it) as unknown[];
        const saved = this.vars.get(n.v);
        const res = [...it].map((x) => { this.vars.set(n.v, x); return this.eval(n.elt); });
        this.vars.set(n.v, saved);
        return res;
      }
      case 'un': {
        const a = this.eval(n.a);
        if (n.op === 'not') return !truthy(a);
        return this.host.unop(n.op, a);
      }
      case 'bin': {
        if (n.op === 'and') { const a = this.eval(n.a); return truthy(a) ? this.eval(n.b) : a; }
        if (n.op === 'or') { const a = this.eval(n.a); return truthy(a) ? a : this.eval(n.b); }
        const a = this.eval(n.a), b = this.eval(n.b);
        if (n.op === 'is') return a === b;
        if (n.op === 'is not') return a !== b;
        return this.host.binop(n.op, a, b);
      }
    }
  }
}

export function truthy(v: unknown): boolean {
  if (v instanceof PyFloat) return v.v !== 0;
  if (Array.isArray(v)) return v.length > 0;
  return Boolean(v);
}

/** Python ==: numbers by value (1 == 1.0), sequences element-wise, everything else by identity. */
export function pyEquals(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => pyEquals(x, b[i]));
  const num = (v: unknown) => (v instanceof PyFloat ? v.v : typeof v === 'number' || typeof v === 'boolean' ? Number(v) : undefined);
  const x = num(a), y = num(b);
  if (x !== undefined && y !== undefined) return x === y;
  return a === b;
}

/** Python arithmetic on plain scalars (ints stay ints, floats stay floats, / is true division). */
export function scalarBinop(op: string, a: unknown, b: unknown): unknown {
  const isF = a instanceof PyFloat || b instanceof PyFloat;
  const x = Number(a instanceof PyFloat ? a.v : a), y = Number(b instanceof PyFloat ? b.v : b);
  const wrap = (v: number, float = isF) => (float ? new PyFloat(v) : v);
  switch (op) {
    case '+': if (typeof a === 'string') return a + String(b); if (Array.isArray(a)) return [...a, ...(b as unknown[])]; return wrap(x + y);
    case '-': return wrap(x - y);
    case '*': if (Array.isArray(a)) return Array.from({ length: y }, () => a).flat(); return wrap(x * y);
    case '/': return new PyFloat(x / y);
    case '//': return wrap(Math.floor(x / y));
    case '%': { const r = x % y; return wrap(r !== 0 && (r < 0) !== (y < 0) ? r + y : r); }
    case '**': return wrap(Math.pow(x, y), isF || y < 0);
    case '==': return pyEquals(a, b);
    case '!=': return !pyEquals(a, b);
    case '<': return x < y;
    case '>': return x > y;
    case '<=': return x <= y;
    case '>=': return x >= y;
    case '&': return typeof a === 'boolean' ? Boolean(a && b) : x & y;
    case '|': return typeof a === 'boolean' ? Boolean(a || b) : x | y;
    case 'in': return Array.isArray(b) ? b.includes(a) : typeof b === 'object' && b !== null && String(a) in b;
  }
  throw new TypeError(`pyeval: unsupported operator ${op} for ${typeof a} and ${typeof b}`);
}
