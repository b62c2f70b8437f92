// Recursive-descent parser for the oracle's Python subset: Python's statement and expression grammar (3.8-era),
// without async, match, type annotations' meaning, or decorators on classes beyond plain calls. Every construct it
// does not implement raises a SyntaxError that names the construct and line.
import { tokenize, pySyntaxError, unescapePy, type Tok } from './lexer.ts';

export type Arg = { kind: 'pos' | 'star' | 'kw' | 'dstar'; name?: string; e: Expr };
export type Param = { name: string; kind: 'pos' | 'varargs' | 'kwonly' | 'varkw'; def?: Expr };
export type CompGen = { target: Expr; iter: Expr; ifs: Expr[] };
export type FPart = string | { e: Expr; conv: string | null; spec: Expr | null; debug?: string };

export type Expr =
  | { t: 'const'; v: unknown }
  | { t: 'name'; n: string }
  | { t: 'attr'; o: Expr; n: string }
  | { t: 'call'; f: Expr; args: Arg[] }
  | { t: 'sub'; o: Expr; idx: Expr[]; tuple: boolean }
  | { t: 'slice'; a: Expr | null; b: Expr | null; c: Expr | null }
  | { t: 'tuple' | 'list' | 'set'; items: Expr[] }
  | { t: 'dict'; items: [Expr | null, Expr][] }
  | { t: 'bin'; op: string; a: Expr; b: Expr }
  | { t: 'bool'; op: 'and' | 'or'; a: Expr; b: Expr }
  | { t: 'not'; a: Expr }
  | { t: 'un'; op: string; a: Expr }
  | { t: 'cmp'; ops: string[]; items: Expr[] }
  | { t: 'cond'; cond: Expr; a: Expr; b: Expr }
  | { t: 'lambda'; params: Param[]; body: Expr }
  | { t: 'comp'; kind: 'list' | 'set' | 'gen' | 'dict'; elt: Expr; key?: Expr; gens: CompGen[] }
  | { t: 'fstr'; parts: FPart[] }
  | { t: 'starred'; e: Expr }
  | { t: 'yield'; e: Expr | null; from: boolean }
  | { t: 'walrus'; n: string; e: Expr }
  | { t: 'float'; v: number };

type S<K extends string, X> = { kind: K; src: string; line: number } & X;
export type Stmt =
  | S<'expr', { e: Expr }>
  | S<'assign', { targets: Expr[]; e: Expr }>
  | S<'aug', { target: Expr; op: string; e: Expr }>
  | S<'ann', { target: Expr; e: Expr | null }>
  | S<'if', { branches: { cond: Expr | null; body: Stmt[] }[] }>
  | S<'while', { cond: Expr; body: Stmt[]; orelse: Stmt[] }>
  | S<'for', { target: Expr; iter: Expr; body: Stmt[]; orelse: Stmt[] }>
  | S<'break', object>
  | S<'continue', object>
  | S<'pass', object>
  | S<'return', { e: Expr | null }>
  | S<'def', { name: string; params: Param[]; body: Stmt[]; decorators: Expr[]; isGen: boolean }>
  | S<'class', { name: string; bases: Arg[]; body: Stmt[]; decorators: Expr[] }>
  | S<'with', { items: { ctx: Expr; target: Expr | null }[]; body: Stmt[] }>
  | S<'try', { body: Stmt[]; handlers: { type: Expr | null; name: string | null; body: Stmt[] }[]; orelse: Stmt[]; final: Stmt[] }>
  | S<'raise', { e: Expr | null; cause: Expr | null }>
  | S<'assert', { test: Expr; msg: Expr | null }>
  | S<'del', { targets: Expr[] }>
  | S<'global' | 'nonlocal', { names: string[] }>
  | S<'import', { names: { mod: string; as: string | null }[] }>
  | S<'from', { mod: string; names: { n: string; as: string | null }[] }>;

const AUG = ['+=', '-=', '*=', '/=', '//=', '%=', '**=', '@=', '&=', '|=', '^=', '>>=', '<<='];
const CMP = ['==', '!=', '<', '>', '<=', '>='];
const UNSUPPORTED_KW: Record<string, string> = { async: 'async', await: 'await', match: '' };

class Parser {
  p = 0;
  constructor(
    readonly toks: Tok[],
    readonly src: string,
  ) {}
  peek(o = 0): Tok {
    return this.toks[Math.min(this.p + o, this.toks.length - 1)]!;
  }
  next(): Tok {
    return this.toks[this.p++]!;
  }
  is(v: string, o = 0): boolean {
    const t = this.peek(o);
    return (t.k === 'op' || t.k === 'name') && t.v === v;
  }
  isOp(v: string): boolean {
    const t = this.peek();
    return t.k === 'op' && t.v === v;
  }
  err(msg: string, t: Tok = this.peek()): never {
    throw pySyntaxError(msg, t.line);
  }
  eat(v: string): Tok {
    const t = this.next();
    if (t.v !== v || (t.k !== 'op' && t.k !== 'name')) this.err(`expected '${v}' but found ${describeTok(t)}`, t);
    return t;
  }
  name(): string {
    const t = this.next();
    if (t.k !== 'name') this.err(`expected a name but found ${describeTok(t)}`, t);
    return t.v;
  }

  // ---- statements -------------------------------------------------------------------------------------
  program(): Stmt[] {
    const out: Stmt[] = [];
    while (this.peek().k !== 'end') {
      if (this.peek().k === 'nl') {
        this.next();
        continue;
      }
      if (this.peek().k === 'indent') this.err('unexpected indent');
      out.push(...this.statement());
    }
    return out;
  }
  block(): Stmt[] {
    this.eat(':');
    if (this.peek().k !== 'nl') return this.simpleLine();
    this.next();
    if (this.peek().k !== 'indent') this.err('expected an indented block');
    this.next();
    const out: Stmt[] = [];
    while (this.peek().k !== 'dedent' && this.peek().k !== 'end') {
      if (this.peek().k === 'nl') {
        this.next();
        continue;
      }
      out.push(...this.statement());
    }
    if (this.peek().k === 'dedent') this.next();
    return out;
  }
  srcFrom(start: Tok): string {
    return this.src.slice(start.pos, this.toks[this.p - 1]!.end);
  }
  statement(): Stmt[] {
    const t = this.peek();
    if (t.k === 'op' && t.v === '@') {
      const decorators: Expr[] = [];
      while (this.isOp('@')) {
        this.next();
        decorators.push(this.namedExpr());
        if (this.peek().k === 'nl') this.next();
      }
      const s = this.compound();
      if (!s || (s.kind !== 'def' && s.kind !== 'class')) this.err('a decorator must precede def or class');
      s.decorators = decorators;
      return [s];
    }
    const c = this.compound();
    return c ? [c] : this.simpleLine();
  }
  compound(): (Stmt & { decorators?: Expr[] }) | null {
    const t = this.peek();
    if (t.k !== 'name') return null;
    const line = t.line;
    const mk = (x: Record<string, unknown>): any => ({ ...x, src: this.srcFrom(t), line });
    switch (t.v) {
      case 'if': {
        this.next();
        const branches = [{ cond: this.namedExpr() as Expr | null, body: this.block() }];
        for (;;) {
          while (this.peek().k === 'nl') this.next();
          if (this.is('elif')) {
            this.next();
            branches.push({ cond: this.namedExpr(), body: this.block() });
          } else if (this.is('else')) {
            this.next();
            branches.push({ cond: null, body: this.block() });
            break;
          } else break;
        }
        return mk({ kind: 'if', branches });
      }
      case 'while': {
        this.next();
        const cond = this.namedExpr(),
          body = this.block();
        return mk({ kind: 'while', cond, body, orelse: this.elseBlock() });
      }
      case 'for': {
        this.next();
        const target = this.targetList();
        this.eat('in');
        const iter = this.exprList();
        const body = this.block();
        return mk({ kind: 'for', target, iter, body, orelse: this.elseBlock() });
      }
      case 'def': {
        this.next();
        const name = this.name();
        this.eat('(');
        const params = this.params(')');
        this.eat(')');
        if (this.isOp('->')) {
          this.next();
          this.expr();
        }
        const body = this.block();
        return mk({ kind: 'def', name, params, body, decorators: [], isGen: containsYield(body) });
      }
      case 'class': {
        this.next();
        const name = this.name();
        let bases: Arg[] = [];
        if (this.isOp('(')) {
          this.next();
          bases = this.callArgs();
        }
        const body = this.block();
        return mk({ kind: 'class', name, bases, body, decorators: [] });
      }
      case 'with': {
        this.next();
        const items: { ctx: Expr; target: Expr | null }[] = [];
        const paren = this.isOp('(') && this.parenthesizedWithItems();
        if (paren) this.next();
        do {
          if (items.length) this.next();
          if (paren && this.isOp(')')) break;
          const ctx = this.expr();
          let target: Expr | null = null;
          if (this.is('as')) {
            this.next();
            target = this.target();
          }
          items.push({ ctx, target });
        } while (this.isOp(','));
        if (paren) this.eat(')');
        return mk({ kind: 'with', items, body: this.block() });
      }
      case 'try': {
        this.next();
        const body = this.block();
        const handlers: { type: Expr | null; name: string | null; body: Stmt[] }[] = [];
        let orelse: Stmt[] = [],
          final: Stmt[] = [];
        for (;;) {
          while (this.peek().k === 'nl') this.next();
          if (this.is('except')) {
            this.next();
            if (this.isOp('*')) this.err('unsupported construct: except*');
            let type: Expr | null = null,
              name: string | null = null;
            if (!this.isOp(':')) {
              type = this.expr();
              if (this.isOp(',')) {
                const items = [type];
                while (this.isOp(',')) {
                  this.next();
                  items.push(this.expr());
                }
                type = { t: 'tuple', items };
              }
              if (this.is('as')) {
                this.next();
                name = this.name();
              }
            }
            handlers.push({ type, name, body: this.block() });
          } else if (this.is('else')) {
            this.next();
            orelse = this.block();
          } else if (this.is('finally')) {
            this.next();
            final = this.block();
            break;
          } else break;
        }
        if (!handlers.length && !final.length) this.err("'try' without 'except' or 'finally'");
        return mk({ kind: 'try', body, handlers, orelse, final });
      }
    }
    if (t.v in UNSUPPORTED_KW && UNSUPPORTED_KW[t.v] && this.peek(1).k === 'name') this.err(`unsupported construct: ${t.v}`);
    return null;
  }
  parenthesizedWithItems(): boolean {
    // `with (a as b, c):` vs `with (expr).method():` — look for 'as' or ',' at depth 1 before the closing paren.
    let depth = 0;
    for (let j = this.p; j < this.toks.length; j++) {
      const t = this.toks[j]!;
      if (t.k === 'op' && '([{'.includes(t.v)) depth++;
      else if (t.k === 'op' && ')]}'.includes(t.v)) {
        depth--;
        if (depth === 0) return this.toks[j + 1]?.v === ':' && this.hasTopLevel(this.p + 1, j);
      }
    }
    return false;
  }
  hasTopLevel(from: number, to: number): boolean {
    let depth = 0;
    for (let j = from; j < to; j++) {
      const t = this.toks[j]!;
      if (t.k === 'op' && '([{'.includes(t.v)) depth++;
      else if (t.k === 'op' && ')]}'.includes(t.v)) depth--;
      else if (depth === 0 && (t.v === 'as' || t.v === ',')) return true;
    }
    return false;
  }
  elseBlock(): Stmt[] {
    let j = 0;
    while (this.peek(j).k === 'nl') j++;
    if (this.is('else', j)) {
      this.p += j + 1;
      return this.block();
    }
    return [];
  }
  simpleLine(): Stmt[] {
    const out: Stmt[] = [];
    for (;;) {
      out.push(this.simple());
      if (this.peek().k === 'nl') {
        const sep = this.next();
        if (sep.v === ';' && this.peek().k !== 'nl' && this.peek().k !== 'end' && this.peek().k !== 'dedent') continue;
        if (sep.v === ';' && this.peek().k === 'nl') this.next();
        return out;
      }
      if (this.peek().k === 'end' || this.peek().k === 'dedent') return out;
      this.err(`unexpected ${describeTok(this.peek())}`);
    }
  }
  simple(): Stmt {
    const t = this.peek();
    const line = t.line;
    const mk = (x: Record<string, unknown>): any => ({ ...x, src: this.srcFrom(t), line });
    if (t.k === 'name') {
      switch (t.v) {
        case 'pass':
          this.next();
          return mk({ kind: 'pass' });
        case 'break':
          this.next();
          return mk({ kind: 'break' });
        case 'continue':
          this.next();
          return mk({ kind: 'continue' });
        case 'return':
          this.next();
          return mk({ kind: 'return', e: this.atStmtEnd() ? null : this.exprListStar() });
        case 'raise': {
          this.next();
          if (this.atStmtEnd()) return mk({ kind: 'raise', e: null, cause: null });
          const e = this.expr();
          let cause: Expr | null = null;
          if (this.is('from')) {
            this.next();
            cause = this.expr();
          }
          return mk({ kind: 'raise', e, cause });
        }
        case 'assert': {
          this.next();
          const test = this.expr();
          let msg: Expr | null = null;
          if (this.isOp(',')) {
            this.next();
            msg = this.expr();
          }
          return mk({ kind: 'assert', test, msg });
        }
        case 'del': {
          this.next();
          const targets = [this.target()];
          while (this.isOp(',')) {
            this.next();
            if (this.atStmtEnd()) break;
            targets.push(this.target());
          }
          return mk({ kind: 'del', targets });
        }
        case 'global':
        case 'nonlocal': {
          this.next();
          const names = [this.name()];
          while (this.isOp(',')) {
            this.next();
            names.push(this.name());
          }
          return mk({ kind: t.v, names });
        }
        case 'import': {
          this.next();
          const names: { mod: string; as: string | null }[] = [];
          do {
            if (names.length) this.next();
            let mod = this.name();
            while (this.isOp('.')) {
              this.next();
              mod += '.' + this.name();
            }
            let as: string | null = null;
            if (this.is('as')) {
              this.next();
              as = this.name();
            }
            names.push({ mod, as });
          } while (this.isOp(','));
          return mk({ kind: 'import', names });
        }
        case 'from': {
          this.next();
          let mod = '';
          while (this.isOp('.') || this.isOp('...')) mod += this.next().v;
          if (!this.is('import')) {
            mod += this.name();
            while (this.isOp('.')) {
              this.next();
              mod += '.' + this.name();
            }
          }
          this.eat('import');
          const names: { n: string; as: string | null }[] = [];
          const paren = this.isOp('(');
          if (paren) this.next();
          if (this.isOp('*')) {
            this.next();
            names.push({ n: '*', as: null });
          } else
            do {
              if (names.length) {
                this.next();
                if (paren && this.isOp(')')) break;
              }
              const n = this.name();
              let as: string | null = null;
              if (this.is('as')) {
                this.next();
                as = this.name();
              }
              names.push({ n, as });
            } while (this.isOp(','));
          if (paren) this.eat(')');
          return mk({ kind: 'from', mod, names });
        }
        case 'yield':
          break;
        case 'lambda':
          break;
      }
    }
    const first = this.exprListStar();
    if (this.isOp('=')) {
      const targets = [first];
      let value: Expr = first;
      while (this.isOp('=')) {
        this.next();
        value = this.is('yield') ? this.yieldExpr() : this.exprListStar();
        targets.push(value);
      }
      targets.pop();
      targets.forEach((x) => checkTarget(x, line));
      return mk({ kind: 'assign', targets, e: value });
    }
    const opTok = this.peek();
    if (opTok.k === 'op' && AUG.includes(opTok.v)) {
      this.next();
      checkTarget(first, line);
      const e = this.is('yield') ? this.yieldExpr() : this.exprListStar();
      return mk({ kind: 'aug', target: first, op: opTok.v.slice(0, -1), e });
    }
    if (this.isOp(':')) {
      // annotated assignment: `x: int = 3`; the annotation is parsed and ignored
      this.next();
      this.expr();
      let e: Expr | null = null;
      if (this.isOp('=')) {
        this.next();
        e = this.exprListStar();
      }
      return mk({ kind: 'ann', target: first, e });
    }
    return mk({ kind: 'expr', e: first });
  }
  atStmtEnd(): boolean {
    const k = this.peek().k;
    return k === 'nl' || k === 'end' || k === 'dedent';
  }

  params(close: string): Param[] {
    const out: Param[] = [];
    let kwonly = false;
    while (!this.isOp(close)) {
      if (this.isOp('/')) {
        this.next();
      } else if (this.isOp('**')) {
        this.next();
        out.push({ name: this.name(), kind: 'varkw' });
        this.annotation(close);
      } else if (this.isOp('*')) {
        this.next();
        kwonly = true;
        if (this.peek().k === 'name') {
          out.push({ name: this.name(), kind: 'varargs' });
          this.annotation(close);
        }
      } else {
        const name = this.name();
        this.annotation(close);
        let def: Expr | undefined;
        if (this.isOp('=')) {
          this.next();
          def = this.expr();
        }
        out.push({ name, kind: kwonly ? 'kwonly' : 'pos', def });
      }
      if (this.isOp(',')) this.next();
      else break;
    }
    return out;
  }
  annotation(close: string): void {
    if (close === ')' && this.isOp(':')) {
      this.next();
      this.expr();
    }
  }

  // ---- expressions ------------------------------------------------------------------------------------
  targetList(): Expr {
    const first = this.targetItem();
    if (!this.isOp(',')) return first;
    const items = [first];
    while (this.isOp(',')) {
      this.next();
      if (this.is('in') || this.isOp('=')) break;
      items.push(this.targetItem());
    }
    return { t: 'tuple', items };
  }
  targetItem(): Expr {
    if (this.isOp('*')) {
      this.next();
      return { t: 'starred', e: this.bitor() };
    }
    return this.bitor();
  }
  target(): Expr {
    return this.postfix();
  }
  exprList(): Expr {
    const first = this.namedExprOrStar();
    if (!this.isOp(',')) return first;
    const items = [first];
    while (this.isOp(',')) {
      this.next();
      if (this.atListEnd()) break;
      items.push(this.namedExprOrStar());
    }
    return { t: 'tuple', items };
  }
  exprListStar(): Expr {
    return this.exprList();
  }
  namedExprOrStar(): Expr {
    if (this.isOp('*')) {
      this.next();
      return { t: 'starred', e: this.bitor() };
    }
    return this.namedExpr();
  }
  atListEnd(): boolean {
    const t = this.peek();
    return t.k === 'nl' || t.k === 'end' || t.k === 'dedent' || (t.k === 'op' && [')', ']', '=', '}', ':', ...AUG].includes(t.v));
  }
  namedExpr(): Expr {
    if (this.peek().k === 'name' && this.is(':=', 1)) {
      const n = this.name();
      this.next();
      return { t: 'walrus', n, e: this.expr() };
    }
    return this.expr();
  }
  expr(): Expr {
    if (this.is('lambda')) return this.lambda();
    if (this.is('yield')) return this.yieldExpr();
    const a = this.or();
    if (!this.is('if')) return a;
    this.next();
    const cond = this.or();
    this.eat('else');
    return { t: 'cond', cond, a, b: this.expr() };
  }
  yieldExpr(): Expr {
    this.eat('yield');
    if (this.is('from')) {
      this.next();
      return { t: 'yield', e: this.expr(), from: true };
    }
    return { t: 'yield', e: this.atListEnd() ? null : this.exprList(), from: false };
  }
  lambda(): Expr {
    this.eat('lambda');
    const params = this.params(':');
    this.eat(':');
    return { t: 'lambda', params, body: this.expr() };
  }
  exprNoCond(): Expr {
    return this.is('lambda') ? this.lambda() : this.or();
  }
  or(): Expr {
    let a = this.and();
    while (this.is('or')) {
      this.next();
      a = { t: 'bool', op: 'or', a, b: this.and() };
    }
    return a;
  }
  and(): Expr {
    let a = this.not();
    while (this.is('and')) {
      this.next();
      a = { t: 'bool', op: 'and', a, b: this.not() };
    }
    return a;
  }
  not(): Expr {
    if (this.is('not')) {
      this.next();
      return { t: 'not', a: this.not() };
    }
    return this.cmp();
  }
  cmp(): Expr {
    const first = this.bitor();
    const ops: string[] = [],
      items = [first];
    for (;;) {
      const t = this.peek();
      if (t.k === 'op' && CMP.includes(t.v)) {
        this.next();
        ops.push(t.v);
      } else if (t.k === 'name' && t.v === 'in') {
        this.next();
        ops.push('in');
      } else if (t.k === 'name' && t.v === 'not' && this.is('in', 1)) {
        this.next();
        this.next();
        ops.push('not in');
      } else if (t.k === 'name' && t.v === 'is') {
        this.next();
        if (this.is('not')) {
          this.next();
          ops.push('is not');
        } else ops.push('is');
      } else break;
      items.push(this.bitor());
    }
    return ops.length ? { t: 'cmp', ops, items } : first;
  }
  binLevel(ops: string[], next: () => Expr): Expr {
    let a = next();
    for (;;) {
      const t = this.peek();
      if (t.k === 'op' && ops.includes(t.v)) {
        this.next();
        a = { t: 'bin', op: t.v, a, b: next() };
      } else return a;
    }
  }
  bitor(): Expr {
    return this.binLevel(['|'], () => this.bitxor());
  }
  bitxor(): Expr {
    return this.binLevel(['^'], () => this.bitand());
  }
  bitand(): Expr {
    return this.binLevel(['&'], () => this.shift());
  }
  shift(): Expr {
    return this.binLevel(['<<', '>>'], () => this.arith());
  }
  arith(): Expr {
    return this.binLevel(['+', '-'], () => this.term());
  }
  term(): Expr {
    return this.binLevel(['*', '/', '//', '%', '@'], () => this.unary());
  }
  unary(): Expr {
    const t = this.peek();
    if (t.k === 'op' && (t.v === '-' || t.v === '+' || t.v === '~')) {
      this.next();
      const a = this.unary();
      return { t: 'un', op: t.v, a };
    }
    return this.power();
  }
  power(): Expr {
    if (this.is('await')) this.err('unsupported construct: await');
    const a = this.postfix();
    if (this.isOp('**')) {
      this.next();
      return { t: 'bin', op: '**', a, b: this.unary() };
    }
    return a;
  }
  callArgs(): Arg[] {
    const args: Arg[] = [];
    while (!this.isOp(')')) {
      if (this.isOp('*')) {
        this.next();
        args.push({ kind: 'star', e: this.expr() });
      } else if (this.isOp('**')) {
        this.next();
        args.push({ kind: 'dstar', e: this.expr() });
      } else if (this.peek().k === 'name' && this.is('=', 1)) {
        const name = this.name();
        this.next();
        args.push({ kind: 'kw', name, e: this.expr() });
      } else {
        const e = this.namedExpr();
        if (this.is('for')) args.push({ kind: 'pos', e: this.comprehension('gen', e) });
        else args.push({ kind: 'pos', e });
      }
      if (this.isOp(',')) this.next();
      else break;
    }
    this.eat(')');
    return args;
  }
  postfix(): Expr {
    let a = this.atom();
    for (;;) {
      if (this.isOp('.')) {
        this.next();
        a = { t: 'attr', o: a, n: this.name() };
      } else if (this.isOp('(')) {
        this.next();
        a = { t: 'call', f: a, args: this.callArgs() };
      } else if (this.isOp('[')) {
        this.next();
        const idx: Expr[] = [];
        let tuple = false;
        while (!this.isOp(']')) {
          idx.push(this.isOp('*') ? (this.next(), { t: 'starred', e: this.bitor() } as Expr) : this.sliceItem());
          if (this.isOp(',')) {
            this.next();
            tuple = true;
          } else break;
        }
        this.eat(']');
        if (!idx.length) this.err('empty subscript');
        a = { t: 'sub', o: a, idx, tuple: tuple || idx.length > 1 };
      } else return a;
    }
  }
  sliceItem(): Expr {
    const part = (): Expr | null => (this.isOp(':') || this.isOp(']') || this.isOp(',') ? null : this.namedExpr());
    const a = part();
    if (!this.isOp(':')) return a!;
    this.next();
    const b = part();
    let c: Expr | null = null;
    if (this.isOp(':')) {
      this.next();
      c = part();
    }
    return { t: 'slice', a, b, c };
  }
  comprehension(kind: 'list' | 'set' | 'gen' | 'dict', elt: Expr, key?: Expr): Expr {
    const gens: CompGen[] = [];
    while (this.is('for')) {
      this.next();
      const target = this.targetList();
      this.eat('in');
      const iter = this.or();
      const ifs: Expr[] = [];
      while (this.is('if')) {
        this.next();
        ifs.push(this.exprNoCond());
      }
      gens.push({ target, iter, ifs });
    }
    if (this.is('async')) this.err('unsupported construct: async comprehension');
    return { t: 'comp', kind, elt, key, gens };
  }
  atom(): Expr {
    const t = this.next();
    if (t.k === 'num') return numberLiteral(t.v);
    if (t.k === 'str') {
      // adjacent literals concatenate; any f-string part makes the whole an f-string
      const parts: FPart[] = [];
      let bytes = t.prefix?.includes('b') ?? false;
      const add = (tok: Tok) => {
        if (tok.prefix?.includes('f')) parts.push(...fstringParts(tok.v, tok.prefix.includes('r'), tok.line));
        else parts.push(tok.v);
        bytes = bytes || Boolean(tok.prefix?.includes('b'));
      };
      add(t);
      while (this.peek().k === 'str') add(this.next());
      if (bytes) this.err('unsupported construct: bytes literal', t);
      if (parts.every((x) => typeof x === 'string')) return { t: 'const', v: parts.join('') };
      return { t: 'fstr', parts };
    }
    if (t.k === 'name') {
      switch (t.v) {
        case 'True':
          return { t: 'const', v: true };
        case 'False':
          return { t: 'const', v: false };
        case 'None':
          return { t: 'const', v: null };
        case 'lambda':
          this.p--;
          return this.lambda();
        case 'yield':
          this.p--;
          return this.yieldExpr();
        case 'await':
        case 'async':
          this.err(`unsupported construct: ${t.v}`, t);
      }
      if (
        [
          'if',
          'else',
          'elif',
          'for',
          'while',
          'def',
          'class',
          'return',
          'in',
          'is',
          'and',
          'or',
          'not',
          'import',
          'from',
          'with',
          'try',
          'except',
          'finally',
          'raise',
          'del',
          'pass',
          'break',
          'continue',
          'global',
          'nonlocal',
          'assert',
          'as',
        ].includes(t.v)
      ) {
        this.err(`unexpected keyword '${t.v}'`, t);
      }
      return { t: 'name', n: t.v };
    }
    if (t.k === 'op') {
      if (t.v === '...') return { t: 'name', n: 'Ellipsis' };
      if (t.v === '(') {
        if (this.isOp(')')) {
          this.next();
          return { t: 'tuple', items: [] };
        }
        if (this.is('yield')) {
          const y = this.yieldExpr();
          this.eat(')');
          return y;
        }
        const e = this.namedExprOrStar();
        if (this.is('for')) {
          const c = this.comprehension('gen', e);
          this.eat(')');
          return c;
        }
        if (this.isOp(')')) {
          this.next();
          if (e.t === 'starred') this.err('cannot use starred expression here', t);
          return e;
        }
        const items = [e];
        while (this.isOp(',')) {
          this.next();
          if (this.isOp(')')) break;
          items.push(this.namedExprOrStar());
        }
        this.eat(')');
        return { t: 'tuple', items };
      }
      if (t.v === '[') {
        if (this.isOp(']')) {
          this.next();
          return { t: 'list', items: [] };
        }
        const first = this.namedExprOrStar();
        if (this.is('for')) {
          const c = this.comprehension('list', first);
          this.eat(']');
          return c;
        }
        const items = [first];
        while (this.isOp(',')) {
          this.next();
          if (this.isOp(']')) break;
          items.push(this.namedExprOrStar());
        }
        this.eat(']');
        return { t: 'list', items };
      }
      if (t.v === '{') {
        if (this.isOp('}')) {
          this.next();
          return { t: 'dict', items: [] };
        }
        if (this.isOp('**')) return this.dictRest(null);
        const first = this.namedExprOrStar();
        if (this.isOp(':')) {
          this.next();
          const v = this.expr();
          if (this.is('for')) {
            const c = this.comprehension('dict', v, first);
            this.eat('}');
            return c;
          }
          return this.dictRest([first, v]);
        }
        if (this.is('for')) {
          const c = this.comprehension('set', first);
          this.eat('}');
          return c;
        }
        const items = [first];
        while (this.isOp(',')) {
          this.next();
          if (this.isOp('}')) break;
          items.push(this.namedExprOrStar());
        }
        this.eat('}');
        return { t: 'set', items };
      }
    }
    return this.err(`unexpected ${describeTok(t)}`, t);
  }
  dictRest(first: [Expr, Expr] | null): Expr {
    const items: [Expr | null, Expr][] = first ? [first] : [];
    if (first) {
      if (this.isOp(',')) this.next();
    }
    while (!this.isOp('}')) {
      if (this.isOp('**')) {
        this.next();
        items.push([null, this.bitor()]);
      } else {
        const k = this.expr();
        this.eat(':');
        items.push([k, this.expr()]);
      }
      if (this.isOp(',')) this.next();
      else break;
    }
    this.eat('}');
    return { t: 'dict', items };
  }
}

function describeTok(t: Tok): string {
  if (t.k === 'nl') return 'end of line';
  if (t.k === 'end') return 'end of input';
  if (t.k === 'indent') return 'indent';
  if (t.k === 'dedent') return 'dedent';
  return `'${t.v}'`;
}

function numberLiteral(s: string): Expr {
  if (/^0[xob]/i.test(s))
    return { t: 'const', v: parseInt(s.slice(2), s[1]!.toLowerCase() === 'x' ? 16 : s[1]!.toLowerCase() === 'o' ? 8 : 2) };
  if (/[.eE]/.test(s)) return { t: 'float', v: Number(s) };
  return { t: 'const', v: Number(s) };
}

function checkTarget(e: Expr, line: number): void {
  switch (e.t) {
    case 'name':
    case 'attr':
    case 'sub':
      return;
    case 'tuple':
    case 'list':
      e.items.forEach((x) => checkTarget(x, line));
      return;
    case 'starred':
      checkTarget(e.e, line);
      return;
  }
  throw pySyntaxError(
    `cannot assign to ${e.t === 'call' ? 'function call' : e.t === 'const' || e.t === 'float' ? 'literal' : 'expression'}`,
    line,
  );
}

/** f-string body -> literal parts and {expr!conv:spec} fields (the spec may itself hold fields). */
function fstringParts(body: string, raw: boolean, line: number): FPart[] {
  const parts: FPart[] = [];
  let lit = '';
  const flush = () => {
    if (lit) parts.push(raw ? lit : unescapePy(lit, line));
    lit = '';
  };
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '{' && body[i + 1] === '{') {
      lit += '{';
      i++;
      continue;
    }
    if (c === '}' && body[i + 1] === '}') {
      lit += '}';
      i++;
      continue;
    }
    if (c === '}') throw pySyntaxError("f-string: single '}' is not allowed", line);
    if (c !== '{') {
      lit += c;
      continue;
    }
    flush();
    // find the end of the expression: first top-level '!', ':' or '}' outside brackets and strings
    let j = i + 1,
      depth = 0,
      quote: string | null = null;
    for (; j < body.length; j++) {
      const d = body[j]!;
      if (quote) {
        if (d === quote) quote = null;
        continue;
      }
      if (d === "'" || d === '"') {
        quote = d;
        continue;
      }
      if ('([{'.includes(d)) depth++;
      else if (')]'.includes(d) || (d === '}' && depth > 0)) depth--;
      else if (depth === 0 && (d === '}' || d === ':' || (d === '!' && body[j + 1] !== '='))) break;
    }
    let exprSrc = body.slice(i + 1, j);
    let debug: string | undefined;
    if (/=\s*$/.test(exprSrc) && !/[=!<>]=\s*$/.test(exprSrc)) {
      debug = exprSrc;
      exprSrc = exprSrc.replace(/=\s*$/, '');
    }
    let conv: string | null = null;
    if (body[j] === '!') {
      conv = body[j + 1]!;
      j += 2;
    }
    let spec: Expr | null = null;
    if (body[j] === ':') {
      let k = j + 1,
        d2 = 0;
      for (; k < body.length; k++) {
        if (body[k] === '{') d2++;
        else if (body[k] === '}') {
          if (d2 === 0) break;
          d2--;
        }
      }
      const specParts = fstringParts(body.slice(j + 1, k), raw, line);
      spec = specParts.every((x) => typeof x === 'string') ? { t: 'const', v: specParts.join('') } : { t: 'fstr', parts: specParts };
      j = k;
    }
    if (body[j] !== '}') throw pySyntaxError("f-string: expecting '}'", line);
    if (!exprSrc.trim()) throw pySyntaxError('f-string: empty expression not allowed', line);
    const p = new Parser(tokenize(`(${exprSrc.trim()})`), `(${exprSrc.trim()})`);
    const e = p.exprList();
    parts.push({ e, conv, spec, debug });
    i = j;
  }
  flush();
  return parts;
}

function containsYield(body: Stmt[]): boolean {
  const seen = (x: unknown): boolean => {
    if (!x || typeof x !== 'object') return false;
    if (Array.isArray(x)) return x.some(seen);
    const o = x as Record<string, unknown>;
    if (o.t === 'yield') return true;
    if (o.kind === 'def' || o.kind === 'class' || o.t === 'lambda') return false;
    return Object.values(o).some(seen);
  };
  return seen(body);
}

export function parseProgram(src: string): Stmt[] {
  const text = src.replace(/\r\n/g, '\n');
  return new Parser(tokenize(text), text).program();
}

/** One expression (used for keys of expected-value maps). */
export function parseExpression(src: string): Expr {
  const p = new Parser(tokenize(src), src);
  const e = p.exprList();
  while (p.peek().k === 'nl') p.next();
  if (p.peek().k !== 'end') p.err(`unexpected ${describeTok(p.peek())}`);
  return e;
}
