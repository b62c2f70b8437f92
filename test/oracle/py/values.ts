// Runtime values of the Python subset. Python ints are JS numbers, floats are PyFloat (so 2 and 2.0 stay apart),
// str is string, list is Array, tuple is a frozen Array, None is null, bool is boolean. Everything else a snippet
// touches (tensors, modules) belongs to the host and is reached through its hooks.

export class PyFloat {
  constructor(readonly v: number) {}
  valueOf(): number {
    return this.v;
  }
}
export class PySlice {
  constructor(
    readonly start: unknown,
    readonly stop: unknown,
    readonly step: unknown,
  ) {}
}
export type PyCallable = (args: unknown[], kwargs: Record<string, unknown>) => unknown;
export class PyFunction {
  constructor(
    readonly name: string,
    readonly fn: PyCallable,
    readonly qualname = name,
  ) {}
  toString(): string {
    return `<function ${this.qualname}>`;
  }
}
/** A context manager for `with` (host objects). `exit` returning true suppresses the exception. */
export interface PyContext {
  enter(): unknown;
  exit(error?: unknown): unknown;
}

export const tuple = <T>(items: T[]): readonly T[] => Object.freeze(items);
export const isTuple = (v: unknown): v is unknown[] => Array.isArray(v) && Object.isFrozen(v);

/** Hash key of a dict/set entry: equal Python values (1, 1.0, True) share a key. */
export function hashKey(v: unknown): unknown {
  if (v instanceof PyFloat) return Number.isInteger(v.v) ? v.v : `f:${v.v}`;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return Number.isInteger(v) ? v : `f:${v}`;
  if (typeof v === 'string') return `s:${v}`;
  if (Array.isArray(v)) {
    if (!isTuple(v)) throw new PyError('TypeError', ["unhashable type: 'list'"]);
    return `t:${JSON.stringify(
      v.map((x) => {
        const k = hashKey(x);
        return typeof k === 'object' ? `#${objectId(k)}` : k;
      }),
    )}`;
  }
  if (v instanceof PyDict) throw new PyError('TypeError', ["unhashable type: 'dict'"]);
  return v;
}
const ids = new WeakMap<object, number>();
let nextId = 1;
export function objectId(o: unknown): number {
  if (o === null || (typeof o !== 'object' && typeof o !== 'function')) return 0;
  let id = ids.get(o as object);
  if (id === undefined) {
    id = nextId++;
    ids.set(o as object, id);
  }
  return id;
}

/** dict / OrderedDict: insertion-ordered, keyed by Python equality. */
export class PyDict {
  readonly map = new Map<unknown, [unknown, unknown]>();
  constructor(
    entries: Iterable<[unknown, unknown]> = [],
    readonly ordered = false,
  ) {
    for (const [k, v] of entries) this.set(k, v);
  }
  get(k: unknown): unknown {
    const e = this.map.get(hashKey(k));
    if (!e) throw new PyError('KeyError', [k]);
    return e[1];
  }
  has(k: unknown): boolean {
    return this.map.has(hashKey(k));
  }
  set(k: unknown, v: unknown): void {
    const h = hashKey(k),
      e = this.map.get(h);
    if (e) e[1] = v;
    else this.map.set(h, [k, v]);
  }
  delete(k: unknown): void {
    if (!this.map.delete(hashKey(k))) throw new PyError('KeyError', [k]);
  }
  keys(): unknown[] {
    return [...this.map.values()].map((e) => e[0]);
  }
  values(): unknown[] {
    return [...this.map.values()].map((e) => e[1]);
  }
  entries(): [unknown, unknown][] {
    return [...this.map.values()].map((e) => [e[0], e[1]]);
  }
  get size(): number {
    return this.map.size;
  }
  /** Plain JS object for host calls (string keys). */
  toObject(): Record<string, unknown> {
    return Object.fromEntries(this.entries().map(([k, v]) => [String(k), v]));
  }
  static fromObject(o: object): PyDict {
    return new PyDict(Object.entries(o));
  }
}

export class PySet {
  readonly map = new Map<unknown, unknown>();
  constructor(
    items: Iterable<unknown> = [],
    readonly frozen = false,
  ) {
    for (const x of items) this.add(x);
  }
  add(x: unknown): void {
    const h = hashKey(x);
    if (!this.map.has(h)) this.map.set(h, x);
  }
  has(x: unknown): boolean {
    return this.map.has(hashKey(x));
  }
  delete(x: unknown): boolean {
    return this.map.delete(hashKey(x));
  }
  items(): unknown[] {
    return [...this.map.values()];
  }
  get size(): number {
    return this.map.size;
  }
}

export class PyRange {
  constructor(
    readonly start: number,
    readonly stop: number,
    readonly step: number,
  ) {
    if (step === 0) throw new PyError('ValueError', ['range() arg 3 must not be zero']);
  }
  get length(): number {
    return Math.max(0, Math.ceil((this.stop - this.start) / this.step));
  }
  at(i: number): number {
    return this.start + i * this.step;
  }
  *[Symbol.iterator](): Iterator<number> {
    const n = this.length;
    for (let i = 0; i < n; i++) yield this.start + i * this.step;
  }
}

/** An iterator object (iter(), enumerate, zip, map, generators): Python's one-shot iteration. */
export class PyIterator {
  constructor(
    readonly it: Iterator<unknown>,
    readonly kind = 'iterator',
  ) {}
  next(): IteratorResult<unknown> {
    return this.it.next();
  }
  [Symbol.iterator](): Iterator<unknown> {
    return this.it;
  }
}

/** A user class (or a builtin exception class). */
export class PyClass {
  readonly dict = new Map<string, unknown>();
  constructor(
    readonly name: string,
    readonly bases: unknown[],
    readonly builtin = false,
  ) {}
  /** Method resolution order: depth-first, left to right, duplicates removed keeping the last (enough for snippets). */
  mro(): unknown[] {
    const out: unknown[] = [this];
    for (const b of this.bases) {
      const sub = b instanceof PyClass ? b.mro() : [b];
      for (const s of sub) {
        const i = out.indexOf(s);
        if (i >= 0) out.splice(i, 1);
        out.push(s);
      }
    }
    return out;
  }
  lookup(name: string): { found: boolean; value?: unknown; owner?: PyClass } {
    for (const c of this.mro()) if (c instanceof PyClass && c.dict.has(name)) return { found: true, value: c.dict.get(name), owner: c };
    return { found: false };
  }
  isSubclassOf(other: unknown): boolean {
    return this.mro().includes(other);
  }
  /** The first non-PyClass base in the MRO (a host class such as nn.Module), if any. */
  hostBase(): unknown {
    return this.mro().find((c) => !(c instanceof PyClass));
  }
  toString(): string {
    return `<class '${this.name}'>`;
  }
}

export class PyObject {
  readonly attrs = new Map<string, unknown>();
  constructor(readonly cls: PyClass) {}
}

// ---- exceptions -----------------------------------------------------------------------------------------------

const EXC_TREE: Array<[string, string | null]> = [
  ['BaseException', null],
  ['Exception', 'BaseException'],
  ['StopIteration', 'Exception'],
  ['ArithmeticError', 'Exception'],
  ['ZeroDivisionError', 'ArithmeticError'],
  ['OverflowError', 'ArithmeticError'],
  ['AssertionError', 'Exception'],
  ['AttributeError', 'Exception'],
  ['LookupError', 'Exception'],
  ['IndexError', 'LookupError'],
  ['KeyError', 'LookupError'],
  ['NameError', 'Exception'],
  ['UnboundLocalError', 'NameError'],
  ['RuntimeError', 'Exception'],
  ['NotImplementedError', 'RuntimeError'],
  ['RecursionError', 'RuntimeError'],
  ['TypeError', 'Exception'],
  ['ValueError', 'Exception'],
  ['MemoryError', 'Exception'],
  ['SyntaxError', 'Exception'],
  ['ImportError', 'Exception'],
  ['ModuleNotFoundError', 'ImportError'],
  ['OSError', 'Exception'],
  ['FileNotFoundError', 'OSError'],
  ['KeyboardInterrupt', 'BaseException'],
  ['GeneratorExit', 'BaseException'],
  ['TimeoutError', 'OSError'],
  ['UserWarning', 'Exception'],
  ['Warning', 'Exception'],
];
export const EXCEPTIONS = new Map<string, PyClass>();
for (const [n, b] of EXC_TREE) EXCEPTIONS.set(n, new PyClass(n, b ? [EXCEPTIONS.get(b)!] : [], true));

/** A raised Python exception. It is a JS Error so that uncaught ones read well in test output. */
export class PyError extends Error {
  readonly cls: PyClass;
  /** A PyObject instance when a user-defined exception class was raised. */
  instance: PyObject | null = null;
  override cause: unknown = null;
  constructor(
    cls: PyClass | string,
    readonly args: unknown[] = [],
    instance: PyObject | null = null,
  ) {
    const c = typeof cls === 'string' ? EXCEPTIONS.get(cls)! : cls;
    // an empty message would hide the type in JS output: uncaught `raise X` / failed `assert` show the class name
    super(exceptionMessage(c, args) || c.name);
    this.cls = c;
    this.instance = instance;
    this.name = c.name;
  }
}

export function exceptionMessage(cls: PyClass, args: unknown[]): string {
  if (args.length === 0) return '';
  if (args.length === 1) return cls.name === 'KeyError' ? pyRepr(args[0]) : pyStr(args[0]);
  return pyRepr(tuple(args));
}

// ---- str / repr / format -------------------------------------------------------------------------------------

/** Host formatting hooks, installed by the interpreter (tensors etc. format themselves). */
export const formatHooks: { str?: (v: unknown) => string | undefined; repr?: (v: unknown) => string | undefined } = {};

export function floatRepr(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  const [mant, expS] = v.toExponential().split('e') as [string, string];
  const exp = Number(expS);
  const neg = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  let s: string;
  if (exp < -4 || exp >= 16) {
    s = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    s += `e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  } else if (exp < 0) {
    s = `0.${'0'.repeat(-exp - 1)}${digits}`;
  } else if (digits.length <= exp + 1) {
    s = `${digits}${'0'.repeat(exp + 1 - digits.length)}.0`;
  } else {
    s = `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  }
  return neg ? `-${s}` : s;
}

export function strRepr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = q;
  for (const c of s) {
    if (c === q || c === '\\') out += '\\' + c;
    else if (c === '\n') out += '\\n';
    else if (c === '\t') out += '\\t';
    else if (c === '\r') out += '\\r';
    else if (c < ' ' || c === '\x7f') out += '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0');
    else out += c;
  }
  return out + q;
}

export function pyRepr(v: unknown): string {
  if (typeof v === 'string') return strRepr(v);
  if (v instanceof PyFloat) return floatRepr(v.v);
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : floatRepr(v);
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (Array.isArray(v)) {
    const own = (v as { __repr__?: unknown }).__repr__;
    if (typeof own === 'function') return String(own());
    if (isTuple(v)) return v.length === 1 ? `(${pyRepr(v[0])},)` : `(${v.map(pyRepr).join(', ')})`;
    return `[${v.map(pyRepr).join(', ')}]`;
  }
  if (v instanceof PyDict) {
    const body = v
      .entries()
      .map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`)
      .join(', ');
    return v.ordered
      ? v.size
        ? `OrderedDict([${v
            .entries()
            .map(([k, x]) => `(${pyRepr(k)}, ${pyRepr(x)})`)
            .join(', ')}])`
        : 'OrderedDict()'
      : `{${body}}`;
  }
  if (v instanceof PySet) return v.size ? `{${v.items().map(pyRepr).join(', ')}}` : 'set()';
  if (v instanceof PyRange) return v.step === 1 ? `range(${v.start}, ${v.stop})` : `range(${v.start}, ${v.stop}, ${v.step})`;
  if (v instanceof PyError) return `${v.cls.name}(${v.args.map(pyRepr).join(', ')})`;
  if (v instanceof PyClass) return v.builtin ? `<class '${v.name}'>` : `<class '__main__.${v.name}'>`;
  if (v instanceof PyObject) return `<__main__.${v.cls.name} object>`;
  if (v instanceof PySlice) return `slice(${pyRepr(v.start)}, ${pyRepr(v.stop)}, ${pyRepr(v.step)})`;
  const h = formatHooks.repr?.(v);
  if (h !== undefined) return h;
  return String(v);
}

export function pyStr(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof PyError) return exceptionMessage(v.cls, v.args);
  if (
    typeof v === 'number' ||
    v instanceof PyFloat ||
    v === null ||
    v === undefined ||
    typeof v === 'boolean' ||
    Array.isArray(v) ||
    v instanceof PyDict ||
    v instanceof PySet
  )
    return pyRepr(v);
  const h = formatHooks.str?.(v);
  if (h !== undefined) return h;
  return pyRepr(v);
}

/** format(value, spec): Python's format-spec mini-language for numbers and strings. */
export function formatSpec(v: unknown, spec: string): string {
  if (spec === '') return pyStr(v);
  const m = /^(?:(.)?([<>=^]))?([+\- ])?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([bcdeEfFgGnosxX%])?$/s.exec(spec);
  if (!m) throw new PyError('ValueError', [`Invalid format specifier '${spec}'`]);
  // fill, align and type are reassigned below when defaults apply; the rest never change.
  // eslint-disable-next-line prefer-const -- one destructuring; only some of its names are reassigned
  let [, fill, align, sign, alt, zero, widthS, group, precS, type] = m;
  const width = widthS ? Number(widthS) : 0;
  const prec = precS === undefined ? undefined : Number(precS);
  const isNum = typeof v === 'number' || v instanceof PyFloat || typeof v === 'boolean';
  let body: string;
  let negative = false;
  if (typeof v === 'string' || !isNum) {
    if (type && type !== 's') throw new PyError('ValueError', [`Unknown format code '${type}' for object of type 'str'`]);
    body = typeof v === 'string' ? v : pyStr(v);
    if (prec !== undefined) body = body.slice(0, prec);
    align = align ?? '<';
  } else {
    const isFloat = v instanceof PyFloat || (typeof v === 'number' && !Number.isInteger(v));
    const x = Number(v instanceof PyFloat ? v.v : v);
    negative = x < 0 || Object.is(x, -0);
    const a = Math.abs(x);
    if (!type) type = isFloat ? (prec === undefined ? 'r' : 'g') : 'd';
    switch (type) {
      case 'd':
      case 'n':
        if (isFloat) throw new PyError('ValueError', ["Unknown format code 'd' for object of type 'float'"]);
        body = String(a);
        break;
      case 'b':
        body = a.toString(2);
        if (alt) body = '0b' + body;
        break;
      case 'o':
        body = a.toString(8);
        if (alt) body = '0o' + body;
        break;
      case 'x':
        body = a.toString(16);
        if (alt) body = '0x' + body;
        break;
      case 'X':
        body = a.toString(16).toUpperCase();
        if (alt) body = '0X' + body;
        break;
      case 'c':
        body = String.fromCharCode(a);
        break;
      case 'f':
      case 'F':
        body = Number.isFinite(a) ? a.toFixed(prec ?? 6) : nonFinite(a, type === 'F');
        break;
      case 'e':
      case 'E':
        body = Number.isFinite(a) ? expo(a, prec ?? 6) : nonFinite(a, type === 'E');
        if (type === 'E') body = body.toUpperCase();
        break;
      case '%':
        body = Number.isFinite(a) ? (a * 100).toFixed(prec ?? 6) + '%' : nonFinite(a, false) + '%';
        break;
      case 'g':
      case 'G':
        body = generalFormat(a, prec ?? 6, Boolean(alt));
        if (type === 'G') body = body.toUpperCase();
        break;
      case 'r':
        body = floatRepr(a);
        break;
      default:
        throw new PyError('ValueError', [`Unknown format code '${type}'`]);
    }
    if (group) {
      const [ip, fp] = body.split('.') as [string, string | undefined];
      body = ip.replace(/\B(?=(\d{3})+(?!\d))/g, group) + (fp !== undefined ? '.' + fp : '');
    }
    if (zero && !align) {
      fill = '0';
      align = '=';
    }
    align = align ?? '>';
  }
  const signStr = isNum ? (negative ? '-' : sign === '+' ? '+' : sign === ' ' ? ' ' : '') : '';
  const f = fill ?? ' ';
  const total = signStr.length + body.length;
  const pad = Math.max(0, width - total);
  switch (align) {
    case '<':
      return signStr + body + f.repeat(pad);
    case '>':
      return f.repeat(pad) + signStr + body;
    case '^':
      return f.repeat(Math.floor(pad / 2)) + signStr + body + f.repeat(pad - Math.floor(pad / 2));
    default:
      return signStr + f.repeat(pad) + body;
  }
}

function nonFinite(a: number, upper: boolean): string {
  const s = Number.isNaN(a) ? 'nan' : 'inf';
  return upper ? s.toUpperCase() : s;
}
function expo(a: number, prec: number): string {
  const [m, e] = a.toExponential(prec).split('e') as [string, string];
  const n = Number(e);
  return `${m}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
}
function generalFormat(a: number, prec: number, alt: boolean): string {
  if (!Number.isFinite(a)) return nonFinite(a, false);
  const p = prec === 0 ? 1 : prec;
  if (a === 0) return alt ? '0.' + '0'.repeat(p - 1) : '0';
  const exp = Number(a.toExponential(p - 1).split('e')[1]);
  let s: string;
  if (exp < -4 || exp >= p) {
    s = expo(a, p - 1);
    if (!alt) s = s.replace(/\.?0+e/, 'e');
  } else {
    s = a.toFixed(Math.max(0, p - 1 - exp));
    if (!alt && s.includes('.')) s = s.replace(/\.?0+$/, '');
  }
  return s;
}

/** printf-style `fmt % args`. */
export function percentFormat(fmt: string, args: unknown): string {
  const list = isTuple(args) ? [...args] : [args];
  let k = 0;
  const out = fmt.replace(
    /%(\([^)]*\))?([#0 +-]*)(\d+|\*)?(?:\.(\d+))?([diouxXeEfFgGcrsa%])/g,
    (_m, key: string | undefined, flags: string, w: string | undefined, p: string | undefined, t: string) => {
      if (t === '%') return '%';
      const v = key ? (args as PyDict).get(key.slice(1, -1)) : list[k++];
      if (t === 's') return pad(pyStr(v), flags, w);
      if (t === 'r' || t === 'a') return pad(pyRepr(v), flags, w);
      const spec = `${flags.includes('-') ? '<' : ''}${flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : ''}${flags.includes('0') && !flags.includes('-') ? '0' : ''}${w ?? ''}${p !== undefined ? '.' + p : ''}${t === 'i' || t === 'u' ? 'd' : t}`;
      const num = (t === 'd' || t === 'i' || t === 'u') && v instanceof PyFloat ? Math.trunc(v.v) : v;
      return formatSpec(num, spec);
    },
  );
  if (k < list.length && !(args instanceof PyDict))
    throw new PyError('TypeError', ['not all arguments converted during string formatting']);
  return out;
}
function pad(s: string, flags: string, w: string | undefined): string {
  const width = w ? Number(w) : 0;
  return flags.includes('-') ? s.padEnd(width) : s.padStart(width);
}
