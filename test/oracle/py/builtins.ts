// Python's builtins for the evaluator: the builtin functions and types, the methods of str/list/tuple/dict/set,
// scalar arithmetic with Python's int/float rules, ordering, iteration, and the small standard-library modules
// snippets import (math, collections, functools, itertools, operator, copy).
import type { PyEnv } from '../pyeval.ts';
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
  formatSpec,
  percentFormat,
  hashKey,
  objectId,
} from './values.ts';

const fn = (name: string, f: (args: unknown[], kw: Record<string, unknown>) => unknown) => new PyFunction(name, f);

/** A builtin type (int, str, list, ...): callable as a constructor, usable in isinstance. */
export class PyBuiltinType extends PyFunction {
  constructor(
    name: string,
    f: (args: unknown[], kw: Record<string, unknown>) => unknown,
    readonly check: (v: unknown) => boolean,
    readonly methods: Record<string, unknown> = {},
  ) {
    super(name, f);
  }
  attr(name: string): unknown {
    if (name in this.methods) return this.methods[name];
    throw new PyError('AttributeError', [`type object '${this.name}' has no attribute '${name}'`]);
  }
  override toString(): string {
    return `<class '${this.name}'>`;
  }
}

export const isFloatValue = (v: unknown): boolean => v instanceof PyFloat || (typeof v === 'number' && !Number.isInteger(v));
export const isIntValue = (v: unknown): boolean => (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'boolean';
export function toJsNumber(v: unknown): number {
  if (v instanceof PyFloat) return v.v;
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw new PyError('TypeError', [`expected a number, got ${v === null ? 'None' : typeof v === 'string' ? 'str' : typeof v}`]);
}
const isNumeric = (v: unknown) => typeof v === 'number' || typeof v === 'boolean' || v instanceof PyFloat;

/** Python iteration over any value (host objects through the host's iter hook or JS iterables). */
export function* iterate(env: PyEnv, v: unknown): Generator<unknown> {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) yield v[i];
    return;
  }
  if (typeof v === 'string') {
    yield* v;
    return;
  }
  if (v instanceof PyDict) {
    yield* v.keys();
    return;
  }
  if (v instanceof PySet) {
    yield* v.items();
    return;
  }
  if (v instanceof PyRange || v instanceof PyIterator) {
    yield* v;
    return;
  }
  if (v instanceof PyObject) {
    const it = env.dunderMethod(v, '__iter__');
    if (it) {
      const obj = env.call(it, [], {});
      if (obj instanceof PyObject) {
        const next = env.dunderMethod(obj, '__next__');
        if (!next) throw new PyError('TypeError', [`iter() returned non-iterator of type '${obj.cls.name}'`]);
        for (;;) {
          let x: unknown;
          try {
            x = env.call(next, [], {});
          } catch (e) {
            if (e instanceof PyError && e.cls.name === 'StopIteration') return;
            throw e;
          }
          env.tick();
          yield x;
        }
      }
      yield* iterate(env, obj);
      return;
    }
    const gi = env.dunderMethod(v, '__getitem__');
    if (gi) {
      for (let i = 0; ; i++) {
        let x: unknown;
        try {
          x = env.call(gi, [i], {});
        } catch (e) {
          if (e instanceof PyError && (e.cls.name === 'IndexError' || e.cls.name === 'StopIteration')) return;
          throw e;
        }
        env.tick();
        yield x;
      }
    }
  }
  if (v !== null && v !== undefined && typeof v === 'object') {
    const cls = env.pythonClassOf(v);
    if (cls) {
      const it = cls.lookup('__iter__');
      if (it.found) {
        yield* iterate(env, env.call(it.value, [v], {}));
        return;
      }
    }
    const h = env.host.iter?.(v);
    if (h) {
      yield* h;
      return;
    }
    if (typeof (v as Iterable<unknown>)[Symbol.iterator] === 'function') {
      yield* v as Iterable<unknown>;
      return;
    }
  }
  throw new PyError('TypeError', [`'${env.typeName(v)}' object is not iterable`]);
}

export function pyLen(env: PyEnv, v: unknown): number {
  if (typeof v === 'string' || Array.isArray(v)) return v.length;
  if (v instanceof PyDict || v instanceof PySet) return v.size;
  if (v instanceof PyRange) return v.length;
  if (v instanceof PyObject) {
    const m = env.dunderMethod(v, '__len__');
    if (m) return toJsNumber(env.call(m, [], {}));
  }
  const cls = env.pythonClassOf(v);
  if (cls) {
    const m = cls.lookup('__len__');
    if (m.found) return toJsNumber(env.call(m.value, [v], {}));
  }
  const h = v !== null && v !== undefined ? env.host.len?.(v) : undefined;
  if (h !== undefined) return h;
  throw new PyError('TypeError', [`object of type '${env.typeName(v)}' has no len()`]);
}

/** Python ==: numbers by value (1 == 1.0 == True), sequences element-wise, dicts/sets by content. */
export function pyEquals(a: unknown, b: unknown): boolean {
  if (isNumeric(a) && isNumeric(b)) return toJsNumber(a) === toJsNumber(b);
  if (Array.isArray(a) && Array.isArray(b))
    return isTuple(a) === isTuple(b) && a.length === b.length && a.every((x, i) => pyEquals(x, b[i]));
  if (a instanceof PyDict && b instanceof PyDict)
    return a.size === b.size && a.entries().every(([k, v]) => b.has(k) && pyEquals(v, b.get(k)));
  if (a instanceof PySet && b instanceof PySet) return a.size === b.size && a.items().every((x) => b.has(x));
  if (a instanceof PyRange && b instanceof PyRange) return pyEquals([...a], [...b]);
  if ((a === null || a === undefined) && (b === null || b === undefined)) return true;
  return a === b;
}

/** Ordering of builtin values: -1, 0, 1; TypeError for unorderable pairs, as in Python 3. */
export function pyCompare(env: PyEnv, a: unknown, b: unknown, op = '<'): number {
  if (isNumeric(a) && isNumeric(b)) {
    const x = toJsNumber(a),
      y = toJsNumber(b);
    return x < y ? -1 : x > y ? 1 : x === y ? 0 : NaN;
  }
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (Array.isArray(a) && Array.isArray(b) && isTuple(a) === isTuple(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      if (pyEquals(a[i], b[i])) continue;
      return orderOf(env, a[i], b[i]);
    }
    return a.length - b.length;
  }
  if (a instanceof PySet && b instanceof PySet) {
    const sub = a.items().every((x) => b.has(x)),
      sup = b.items().every((x) => a.has(x));
    return sub && sup ? 0 : sub ? -1 : sup ? 1 : NaN;
  }
  throw new PyError('TypeError', [`'${op}' not supported between instances of '${env.typeName(a)}' and '${env.typeName(b)}'`]);
}

/** Ordering for sorted/min/max: builtin values directly, anything else through `<`. */
export function orderOf(env: PyEnv, a: unknown, b: unknown): number {
  const simple = (v: unknown) => isNumeric(v) || typeof v === 'string' || Array.isArray(v) || v instanceof PySet;
  if (simple(a) && simple(b)) return pyCompare(env, a, b);
  if (env.truthy(env.compare('<', a, b))) return -1;
  if (env.truthy(env.compare('<', b, a))) return 1;
  return 0;
}

const zeroDiv = (msg: string) => new PyError('ZeroDivisionError', [msg]);
function floorMod(x: number, y: number): number {
  const r = x % y;
  return r !== 0 && r < 0 !== y < 0 ? r + y : r;
}

/** Python arithmetic on builtin values (ints stay ints, floats stay floats, / is true division). */
export function builtinBinop(env: PyEnv, op: string, a: unknown, b: unknown): unknown {
  if (isNumeric(a) && isNumeric(b)) {
    const isF = isFloatValue(a) || isFloatValue(b);
    const x = toJsNumber(a),
      y = toJsNumber(b);
    const wrap = (v: number) => (isF ? new PyFloat(v) : v);
    switch (op) {
      case '+':
        return wrap(x + y);
      case '-':
        return wrap(x - y);
      case '*':
        return wrap(x * y);
      case '/':
        if (y === 0) throw zeroDiv(isF ? 'float division by zero' : 'division by zero');
        return new PyFloat(x / y);
      case '//':
        if (y === 0) throw zeroDiv(isF ? 'float floor division by zero' : 'integer division or modulo by zero');
        return wrap(Math.floor(x / y));
      case '%':
        if (y === 0) throw zeroDiv(isF ? 'float modulo' : 'integer division or modulo by zero');
        return wrap(floorMod(x, y));
      case '**':
        if (x === 0 && y < 0) throw zeroDiv('0.0 cannot be raised to a negative power');
        return isF || y < 0 ? new PyFloat(Math.pow(x, y)) : Math.pow(x, y);
      case '&':
      case '|':
      case '^':
      case '<<':
      case '>>': {
        if (isF) throw new PyError('TypeError', [`unsupported operand type(s) for ${op}: 'float'`]);
        if (typeof a === 'boolean' && typeof b === 'boolean' && op !== '<<' && op !== '>>')
          return op === '&' ? a && b : op === '|' ? a || b : a !== b;
        if (op === '&') return x & y;
        if (op === '|') return x | y;
        if (op === '^') return x ^ y;
        if (op === '<<') return x * 2 ** y;
        return Math.floor(x / 2 ** y);
      }
    }
  }
  if (op === '+') {
    if (typeof a === 'string' && typeof b === 'string') return a + b;
    if (Array.isArray(a) && Array.isArray(b) && isTuple(a) === isTuple(b)) return isTuple(a) ? tuple([...a, ...b]) : [...a, ...b];
  }
  if (op === '*') {
    const seq = typeof a === 'string' || Array.isArray(a) ? a : typeof b === 'string' || Array.isArray(b) ? b : null;
    const n = seq === a ? b : a;
    if (seq !== null && isIntValue(n)) {
      const k = Math.max(0, toJsNumber(n));
      if (typeof seq === 'string') return seq.repeat(k);
      const src = seq as unknown[],
        len = src.length;
      const out: unknown[] = new Array(len * k);
      for (let i = 0; i < k; i++) for (let j = 0; j < len; j++) out[i * len + j] = src[j];
      return isTuple(seq) ? tuple(out) : out;
    }
  }
  if (op === '%' && typeof a === 'string') return percentFormat(a, b);
  if (a instanceof PySet && b instanceof PySet) {
    if (op === '|') return new PySet([...a.items(), ...b.items()]);
    if (op === '&') return new PySet(a.items().filter((x) => b.has(x)));
    if (op === '-') return new PySet(a.items().filter((x) => !b.has(x)));
    if (op === '^') return new PySet([...a.items().filter((x) => !b.has(x)), ...b.items().filter((x) => !a.has(x))]);
  }
  if (op === '|' && a instanceof PyDict && b instanceof PyDict) return new PyDict([...a.entries(), ...b.entries()]);
  if (op === '==') return pyEquals(a, b);
  if (op === '!=') return !pyEquals(a, b);
  throw new PyError('TypeError', [`unsupported operand type(s) for ${op}: '${env.typeName(a)}' and '${env.typeName(b)}'`]);
}

/** Compatibility: scalar arithmetic without an environment (older callers). */
export function scalarBinop(op: string, a: unknown, b: unknown): unknown {
  return builtinBinop({ typeName: (v: unknown) => typeof v } as unknown as PyEnv, op, a, b);
}

// ---- methods of builtin values ---------------------------------------------------------------------------------

function strMethod(env: PyEnv, s: string, name: string): unknown {
  const m = (f: (a: unknown[], kw: Record<string, unknown>) => unknown) => fn(name, f);
  const str = (v: unknown) => env.str(v);
  switch (name) {
    case 'join':
      return m((a) =>
        [...iterate(env, a[0])]
          .map((x) => {
            if (typeof x !== 'string') throw new PyError('TypeError', [`sequence item: expected str instance, ${env.typeName(x)} found`]);
            return x;
          })
          .join(s),
      );
    case 'split':
      return m((a, kw) => {
        const sep = a[0] ?? kw.sep ?? null,
          max = toJsNumber(a[1] ?? kw.maxsplit ?? -1);
        if (sep === null) {
          const parts = s
            .trim()
            .split(/\s+/)
            .filter((x) => x !== '');
          return max < 0 || parts.length <= max + 1 ? parts : [...parts.slice(0, max), parts.slice(max).join(' ')];
        }
        const parts = s.split(sep as string);
        return max < 0 || parts.length <= max + 1 ? parts : [...parts.slice(0, max), parts.slice(max).join(sep as string)];
      });
    case 'rsplit':
      return m((a) => (a[0] === undefined || a[0] === null ? s.trim().split(/\s+/) : s.split(a[0] as string)));
    case 'splitlines':
      return m(() => s.split(/\r?\n/).filter((x, i, arr) => i < arr.length - 1 || x !== ''));
    case 'strip':
      return m((a) => stripChars(s, a[0] as string | null | undefined, true, true));
    case 'lstrip':
      return m((a) => stripChars(s, a[0] as string | null | undefined, true, false));
    case 'rstrip':
      return m((a) => stripChars(s, a[0] as string | null | undefined, false, true));
    case 'upper':
      return m(() => s.toUpperCase());
    case 'lower':
      return m(() => s.toLowerCase());
    case 'title':
      return m(() => s.replace(/\w\S*/g, (w) => w[0]!.toUpperCase() + w.slice(1).toLowerCase()));
    case 'capitalize':
      return m(() => (s ? s[0]!.toUpperCase() + s.slice(1).toLowerCase() : s));
    case 'replace':
      return m((a) => {
        const n = a[2] === undefined ? -1 : toJsNumber(a[2]);
        if (n < 0) return s.split(a[0] as string).join(a[1] as string);
        const out = s;
        let count = 0;
        let idx = 0;
        let res = '';
        while (count < n) {
          const j = out.indexOf(a[0] as string, idx);
          if (j < 0) break;
          res += out.slice(idx, j) + (a[1] as string);
          idx = j + (a[0] as string).length;
          count++;
        }
        return res + out.slice(idx);
      });
    case 'startswith':
      return m((a) =>
        Array.isArray(a[0])
          ? (a[0] as string[]).some((p) => s.startsWith(p))
          : s.startsWith(a[0] as string, a[1] === undefined ? 0 : toJsNumber(a[1])),
      );
    case 'endswith':
      return m((a) => (Array.isArray(a[0]) ? (a[0] as string[]).some((p) => s.endsWith(p)) : s.endsWith(a[0] as string)));
    case 'find':
      return m((a) => s.indexOf(a[0] as string, a[1] === undefined ? 0 : toJsNumber(a[1])));
    case 'rfind':
      return m((a) => s.lastIndexOf(a[0] as string));
    case 'index':
      return m((a) => {
        const i = s.indexOf(a[0] as string);
        if (i < 0) throw new PyError('ValueError', ['substring not found']);
        return i;
      });
    case 'count':
      return m((a) => (a[0] === '' ? s.length + 1 : s.split(a[0] as string).length - 1));
    case 'format':
      return m((a, kw) => strFormat(env, s, a, kw));
    case 'zfill':
      return m((a) => {
        const w = toJsNumber(a[0]);
        const neg = s.startsWith('-') || s.startsWith('+');
        return neg ? s[0] + s.slice(1).padStart(w - 1, '0') : s.padStart(w, '0');
      });
    case 'ljust':
      return m((a) => s.padEnd(toJsNumber(a[0]), (a[1] as string) ?? ' '));
    case 'rjust':
      return m((a) => s.padStart(toJsNumber(a[0]), (a[1] as string) ?? ' '));
    case 'center':
      return m((a) => formatSpec(s, `${(a[1] as string) ?? ' '}^${toJsNumber(a[0])}`));
    case 'isdigit':
    case 'isnumeric':
    case 'isdecimal':
      return m(() => /^\d+$/.test(s));
    case 'isalpha':
      return m(() => /^[A-Za-z]+$/.test(s));
    case 'isalnum':
      return m(() => /^[A-Za-z0-9]+$/.test(s));
    case 'isspace':
      return m(() => /^\s+$/.test(s));
    case 'isupper':
      return m(() => /[A-Z]/.test(s) && s === s.toUpperCase());
    case 'islower':
      return m(() => /[a-z]/.test(s) && s === s.toLowerCase());
    case 'partition':
      return m((a) => {
        const i = s.indexOf(a[0] as string);
        return i < 0 ? tuple([s, '', '']) : tuple([s.slice(0, i), a[0], s.slice(i + (a[0] as string).length)]);
      });
    case 'encode':
      return m(() => s);
    case '__len__':
      return m(() => s.length);
  }
  void str;
  throw new PyError('AttributeError', [`'str' object has no attribute '${name}'`]);
}
function stripChars(s: string, chars: string | null | undefined, left: boolean, right: boolean): string {
  const set = chars === null || chars === undefined ? null : new Set(chars);
  const drop = (c: string) => (set ? set.has(c) : /\s/.test(c));
  let i = 0,
    j = s.length;
  if (left) while (i < j && drop(s[i]!)) i++;
  if (right) while (j > i && drop(s[j - 1]!)) j--;
  return s.slice(i, j);
}

/** str.format: {} {0} {name} {0.attr} {0[key]} with !r/!s and format specs. */
export function strFormat(env: PyEnv, s: string, args: unknown[], kw: Record<string, unknown>): string {
  let auto = 0;
  return s.replace(
    /\{\{|\}\}|\{([^{}!:]*)(?:!([rsa]))?(?::((?:[^{}]|\{[^{}]*\})*))?\}/g,
    (m, field: string | undefined, conv: string | undefined, spec: string | undefined) => {
      if (m === '{{') return '{';
      if (m === '}}') return '}';
      const path = /^([^.[]*)(.*)$/.exec(field ?? '')!;
      let v: unknown;
      if (path[1] === '') v = args[auto++];
      else if (/^\d+$/.test(path[1]!)) v = args[Number(path[1])];
      else {
        if (!(path[1]! in kw)) throw new PyError('KeyError', [path[1]]);
        v = kw[path[1]!];
      }
      for (const acc of path[2]!.matchAll(/\.(\w+)|\[([^\]]+)\]/g)) {
        v = acc[1] ? env.getattr(v, acc[1]) : env.subscript(v, [/^\d+$/.test(acc[2]!) ? Number(acc[2]) : acc[2]], false);
      }
      if (conv === 'r' || conv === 'a') v = env.repr(v);
      else if (conv === 's') v = env.str(v);
      const sp = (spec ?? '').replace(/\{([^{}]*)\}/g, (_x, f: string) =>
        env.str(f === '' ? args[auto++] : /^\d+$/.test(f) ? args[Number(f)] : kw[f]),
      );
      return env.format(v, sp);
    },
  );
}

function listMethod(env: PyEnv, list: unknown[], name: string): unknown {
  const l: unknown[] = list;
  const m = (f: (a: unknown[], kw: Record<string, unknown>) => unknown) => fn(name, f);
  const frozen = Object.isFrozen(l);
  const eq = (x: unknown, y: unknown) => x === y || env.truthy(env.compare('==', x, y));
  switch (name) {
    case 'index':
      return m((a) => {
        const i = l.findIndex((x) => eq(x, a[0]));
        if (i < 0) throw new PyError('ValueError', [`${env.repr(a[0])} is not in ${frozen ? 'tuple' : 'list'}`]);
        return i;
      });
    case 'count':
      return m((a) => l.filter((x) => eq(x, a[0])).length);
  }
  if (!frozen) {
    switch (name) {
      case 'append':
        return m((a) => {
          l.push(a[0]);
          return null;
        });
      case 'extend':
        return m((a) => {
          l.push(...iterate(env, a[0]));
          return null;
        });
      case 'insert':
        return m((a) => {
          let i = toJsNumber(a[0]);
          if (i < 0) i = Math.max(0, i + l.length);
          l.splice(Math.min(i, l.length), 0, a[1]);
          return null;
        });
      case 'pop':
        return m((a) => {
          if (!l.length) throw new PyError('IndexError', ['pop from empty list']);
          let i = a[0] === undefined ? l.length - 1 : toJsNumber(a[0]);
          if (i < 0) i += l.length;
          if (i < 0 || i >= l.length) throw new PyError('IndexError', ['pop index out of range']);
          return l.splice(i, 1)[0];
        });
      case 'remove':
        return m((a) => {
          const i = l.findIndex((x) => eq(x, a[0]));
          if (i < 0) throw new PyError('ValueError', ['list.remove(x): x not in list']);
          l.splice(i, 1);
          return null;
        });
      case 'clear':
        return m(() => {
          l.length = 0;
          return null;
        });
      case 'copy':
        return m(() => [...l]);
      case 'reverse':
        return m(() => {
          l.reverse();
          return null;
        });
      case 'sort':
        return m((_a, kw) => {
          const s = sortValues(env, l, kw.key, Boolean(kw.reverse));
          l.splice(0, l.length, ...s);
          return null;
        });
    }
  }
  throw new PyError('AttributeError', [`'${frozen ? 'tuple' : 'list'}' object has no attribute '${name}'`]);
}

function dictMethod(env: PyEnv, d: PyDict, name: string): unknown {
  const m = (f: (a: unknown[], kw: Record<string, unknown>) => unknown) => fn(name, f);
  switch (name) {
    case 'keys':
      return m(() => d.keys());
    case 'values':
      return m(() => d.values());
    case 'items':
      return m(() => d.entries().map(([k, v]) => tuple([k, v])));
    case 'get':
      return m((a) => (d.has(a[0]) ? d.get(a[0]) : (a[1] ?? null)));
    case 'pop':
      return m((a) => {
        if (d.has(a[0])) {
          const v = d.get(a[0]);
          d.delete(a[0]);
          return v;
        }
        if (a.length > 1) return a[1];
        throw new PyError('KeyError', [a[0]]);
      });
    case 'popitem':
      return m((a, kw) => {
        const es = d.entries();
        if (!es.length) throw new PyError('KeyError', ['popitem(): dictionary is empty']);
        const last = (a[0] ?? kw.last ?? true) as boolean;
        const [k, v] = last ? es[es.length - 1]! : es[0]!;
        d.delete(k);
        return tuple([k, v]);
      });
    case 'setdefault':
      return m((a) => {
        if (!d.has(a[0])) d.set(a[0], a[1] ?? null);
        return d.get(a[0]);
      });
    case 'update':
      return m((a, kw) => {
        if (a[0] !== undefined) for (const [k, v] of mappingOrPairs(env, a[0])) d.set(k, v);
        for (const [k, v] of Object.entries(kw)) d.set(k, v);
        return null;
      });
    case 'copy':
      return m(() => new PyDict(d.entries(), d.ordered));
    case 'clear':
      return m(() => {
        d.map.clear();
        return null;
      });
    case 'move_to_end':
      return m((a, kw) => {
        const v = d.get(a[0]);
        const last = (a[1] ?? kw.last ?? true) as boolean;
        d.delete(a[0]);
        if (last) d.set(a[0], v);
        else {
          const rest = d.entries();
          d.map.clear();
          d.set(a[0], v);
          for (const [k, x] of rest) d.set(k, x);
        }
        return null;
      });
  }
  throw new PyError('AttributeError', [`'${d.ordered ? 'OrderedDict' : 'dict'}' object has no attribute '${name}'`]);
}

function setMethod(env: PyEnv, s: PySet, name: string): unknown {
  const m = (f: (a: unknown[]) => unknown) => fn(name, f);
  const other = (v: unknown) => new PySet(iterate(env, v));
  switch (name) {
    case 'add':
      return m((a) => {
        s.add(a[0]);
        return null;
      });
    case 'remove':
      return m((a) => {
        if (!s.delete(a[0])) throw new PyError('KeyError', [a[0]]);
        return null;
      });
    case 'discard':
      return m((a) => {
        s.delete(a[0]);
        return null;
      });
    case 'pop':
      return m(() => {
        const x = s.items()[0];
        if (x === undefined) throw new PyError('KeyError', ['pop from an empty set']);
        s.delete(x);
        return x;
      });
    case 'update':
      return m((a) => {
        for (const v of a) for (const x of iterate(env, v)) s.add(x);
        return null;
      });
    case 'union':
      return m((a) => new PySet([...s.items(), ...a.flatMap((v) => [...iterate(env, v)])]));
    case 'intersection':
      return m((a) => {
        const o = other(a[0]);
        return new PySet(s.items().filter((x) => o.has(x)));
      });
    case 'difference':
      return m((a) => {
        const o = other(a[0]);
        return new PySet(s.items().filter((x) => !o.has(x)));
      });
    case 'issubset':
      return m((a) => {
        const o = other(a[0]);
        return s.items().every((x) => o.has(x));
      });
    case 'issuperset':
      return m((a) => [...iterate(env, a[0])].every((x) => s.has(x)));
    case 'copy':
      return m(() => new PySet(s.items()));
    case 'clear':
      return m(() => {
        s.map.clear();
        return null;
      });
  }
  throw new PyError('AttributeError', [`'set' object has no attribute '${name}'`]);
}

export function builtinMethod(env: PyEnv, obj: unknown, name: string): unknown {
  if (typeof obj === 'string') return strMethod(env, obj, name);
  if (Array.isArray(obj)) return listMethod(env, obj, name);
  if (obj instanceof PyDict) return dictMethod(env, obj, name);
  if (obj instanceof PySet) return setMethod(env, obj, name);
  if (obj instanceof PyFloat || typeof obj === 'number' || typeof obj === 'boolean') {
    const x = toJsNumber(obj);
    switch (name) {
      case 'is_integer':
        return fn(name, () => Number.isInteger(x));
      case 'real':
        return obj;
      case 'imag':
        return isFloatValue(obj) ? new PyFloat(0) : 0;
      case 'conjugate':
        return fn(name, () => obj);
      case 'bit_length':
        return fn(name, () => (x === 0 ? 0 : Math.floor(Math.log2(Math.abs(x))) + 1));
      case 'as_integer_ratio':
        return fn(name, () => {
          let n = x,
            d = 1;
          while (!Number.isInteger(n)) {
            n *= 2;
            d *= 2;
          }
          return tuple([n, d]);
        });
      case 'hex':
        return fn(name, () => {
          throw new PyError('NotImplementedError', ['float.hex']);
        });
    }
    throw new PyError('AttributeError', [`'${env.typeName(obj)}' object has no attribute '${name}'`]);
  }
  if (obj instanceof PyRange) {
    if (name === 'start') return obj.start;
    if (name === 'stop') return obj.stop;
    if (name === 'step') return obj.step;
    if (name === 'index')
      return fn(name, (a) => {
        const v = toJsNumber(a[0]);
        const i = (v - obj.start) / obj.step;
        if (!Number.isInteger(i) || i < 0 || i >= obj.length) throw new PyError('ValueError', [`${v} is not in range`]);
        return i;
      });
    if (name === 'count') return fn(name, (a) => (env.contains(obj, a[0]) ? 1 : 0));
  }
  if (obj instanceof PyIterator && name === '__next__') return fn(name, () => nextOf(obj));
  if (obj instanceof PySlice) {
    if (name === 'start') return obj.start;
    if (name === 'stop') return obj.stop;
    if (name === 'step') return obj.step;
  }
  throw new PyError('AttributeError', [`'${env.typeName(obj)}' object has no attribute '${name}'`]);
}

function nextOf(it: PyIterator, dflt?: unknown): unknown {
  const r = it.next();
  if (r.done) {
    if (dflt !== undefined) return dflt;
    throw new PyError('StopIteration', []);
  }
  return r.value;
}

function mappingOrPairs(env: PyEnv, v: unknown): [unknown, unknown][] {
  if (v instanceof PyDict) return v.entries();
  if (
    v instanceof PyObject ||
    (v &&
      typeof v === 'object' &&
      !Array.isArray(v) &&
      !(v instanceof PyIterator) &&
      !(v instanceof PyRange) &&
      typeof (v as Iterable<unknown>)[Symbol.iterator] !== 'function' &&
      !env.host.iter?.(v))
  ) {
    return dictEntries(env, v);
  }
  return [...iterate(env, v)].map((p) => {
    const pair = [...iterate(env, p)];
    if (pair.length !== 2) throw new PyError('ValueError', [`dictionary update sequence element has length ${pair.length}; 2 is required`]);
    return [pair[0], pair[1]] as [unknown, unknown];
  });
}

/** (key, value) pairs of a mapping for `**` and dict(). */
export function dictEntries(env: PyEnv, v: unknown): [unknown, unknown][] {
  if (v instanceof PyDict) return v.entries();
  if (v instanceof PyObject) {
    const keys = env.dunderMethod(v, 'keys');
    if (keys) return [...iterate(env, env.call(keys, [], {}))].map((k) => [k, env.subscript(v, [k], false)]);
  }
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    if (v instanceof Map) return [...v.entries()];
    return Object.entries(v);
  }
  throw new PyError('TypeError', [`'${env.typeName(v)}' object is not a mapping`]);
}

export function sortValues(env: PyEnv, items: unknown[], key: unknown, reverse: boolean): unknown[] {
  const keyed = items.map((x, i) => ({ x, i, k: key === undefined || key === null ? x : env.call(key, [x], {}) }));
  keyed.sort((p, q) => {
    const c = orderOf(env, p.k, q.k);
    return (reverse ? -c : c) || p.i - q.i;
  });
  return keyed.map((p) => p.x);
}

function minMax(env: PyEnv, which: 'min' | 'max', a: unknown[], kw: Record<string, unknown>): unknown {
  const items = a.length === 1 ? [...iterate(env, a[0])] : a;
  if (!items.length) {
    if ('default' in kw) return kw.default;
    throw new PyError('ValueError', [`${which}() arg is an empty sequence`]);
  }
  const key = kw.key;
  let best = items[0],
    bestK = key ? env.call(key, [best], {}) : best;
  for (const x of items.slice(1)) {
    const k = key ? env.call(key, [x], {}) : x;
    const c = orderOf(env, k, bestK);
    if (which === 'max' ? c > 0 : c < 0) {
      best = x;
      bestK = k;
    }
  }
  return best;
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function toIntValue(env: PyEnv, v: unknown, base?: unknown): number {
  if (typeof v === 'string') {
    const b = base === undefined ? 10 : toJsNumber(base);
    const t = v.trim().replace(/_/g, '');
    const n = b === 10 ? (/^[+-]?\d+$/.test(t) ? Number(t) : NaN) : parseInt(t, b);
    if (Number.isNaN(n)) throw new PyError('ValueError', [`invalid literal for int() with base ${b}: ${pyRepr(v)}`]);
    return n;
  }
  if (isNumeric(v)) {
    const x = toJsNumber(v);
    if (!Number.isFinite(x))
      throw new PyError(Number.isNaN(x) ? 'ValueError' : 'OverflowError', [
        Number.isNaN(x) ? 'cannot convert float NaN to integer' : 'cannot convert float infinity to integer',
      ]);
    return Math.trunc(x) || 0;
  }
  if (v instanceof PyObject) {
    const m = env.dunderMethod(v, '__int__') ?? env.dunderMethod(v, '__index__');
    if (m) return toJsNumber(env.call(m, [], {}));
  }
  const h = v !== null && v !== undefined && !Array.isArray(v) ? env.host.toNumber?.(v, 'int') : undefined;
  if (h !== undefined) return Math.trunc(h);
  throw new PyError('TypeError', [`int() argument must be a string, a bytes-like object or a real number, not '${env.typeName(v)}'`]);
}

function toFloatValue(env: PyEnv, v: unknown): PyFloat {
  if (typeof v === 'string') {
    const t = v.trim().toLowerCase();
    const special: Record<string, number> = {
      inf: Infinity,
      '+inf': Infinity,
      '-inf': -Infinity,
      infinity: Infinity,
      '-infinity': -Infinity,
      nan: NaN,
      '-nan': NaN,
      '+nan': NaN,
    };
    if (t in special) return new PyFloat(special[t]!);
    if (!/^[+-]?(\d[\d_]*\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(t))
      throw new PyError('ValueError', [`could not convert string to float: ${pyRepr(v)}`]);
    return new PyFloat(Number(t.replace(/_/g, '')));
  }
  if (isNumeric(v)) return new PyFloat(toJsNumber(v));
  if (v instanceof PyObject) {
    const m = env.dunderMethod(v, '__float__');
    if (m) return new PyFloat(toJsNumber(env.call(m, [], {})));
  }
  const h = v !== null && v !== undefined && !Array.isArray(v) ? env.host.toNumber?.(v, 'float') : undefined;
  if (h !== undefined) return new PyFloat(h);
  throw new PyError('TypeError', [`float() argument must be a string or a real number, not '${env.typeName(v)}'`]);
}

/** The builtin namespace. */
export function makeBuiltins(env: PyEnv): Record<string, unknown> {
  const T = (
    name: string,
    f: (a: unknown[], kw: Record<string, unknown>) => unknown,
    check: (v: unknown) => boolean,
    methods: Record<string, unknown> = {},
  ) => new PyBuiltinType(name, f, check, methods);
  const int = T(
    'int',
    (a) => (a.length ? toIntValue(env, a[0], a[1]) : 0),
    (v) => isIntValue(v),
  );
  const float = T(
    'float',
    (a) => (a.length ? toFloatValue(env, a[0]) : new PyFloat(0)),
    (v) => isFloatValue(v),
  );
  const bool = T(
    'bool',
    (a) => (a.length ? env.truthy(a[0]) : false),
    (v) => typeof v === 'boolean',
  );
  const str = T(
    'str',
    (a) => (a.length ? env.str(a[0]) : ''),
    (v) => typeof v === 'string',
  );
  const list = T(
    'list',
    (a) => (a.length ? [...iterate(env, a[0])] : []),
    (v) => Array.isArray(v) && !isTuple(v),
  );
  const tupleT = T(
    'tuple',
    (a) => tuple(a.length ? [...iterate(env, a[0])] : []),
    (v) => isTuple(v),
  );
  const dict = T(
    'dict',
    (a, kw) => {
      const d = new PyDict(a.length ? mappingOrPairs(env, a[0]) : []);
      for (const [k, v] of Object.entries(kw)) d.set(k, v);
      return d;
    },
    (v) => v instanceof PyDict,
    { fromkeys: fn('fromkeys', (a) => new PyDict([...iterate(env, a[0])].map((k) => [k, a[1] ?? null]))) },
  );
  const set = T(
    'set',
    (a) => new PySet(a.length ? iterate(env, a[0]) : []),
    (v) => v instanceof PySet && !v.frozen,
  );
  const frozenset = T(
    'frozenset',
    (a) => new PySet(a.length ? iterate(env, a[0]) : [], true),
    (v) => v instanceof PySet && v.frozen,
  );
  const object = T(
    'object',
    () => new PyObject(new PyClass('object', [])),
    () => true,
  );
  const range = T(
    'range',
    (a) => {
      const n = a.map((x) => {
        if (!isIntValue(x)) throw new PyError('TypeError', [`'${env.typeName(x)}' object cannot be interpreted as an integer`]);
        return toJsNumber(x);
      });
      return n.length === 1 ? new PyRange(0, n[0]!, 1) : new PyRange(n[0]!, n[1]!, n[2] ?? 1);
    },
    (v) => v instanceof PyRange,
  );
  const slice = T(
    'slice',
    (a) => (a.length === 1 ? new PySlice(null, a[0], null) : new PySlice(a[0] ?? null, a[1] ?? null, a[2] ?? null)),
    (v) => v instanceof PySlice,
  );
  const noneType = T(
    'NoneType',
    () => null,
    (v) => v === null || v === undefined,
  );
  const typeT: PyBuiltinType = T(
    'type',
    (a) => typeOf(env, a[0], { int, float, bool, str, list, tuple: tupleT, dict, set, frozenset, range, slice, noneType }),
    (v) => v instanceof PyClass || v instanceof PyBuiltinType,
  );
  const functionT = T(
    'function',
    () => {
      throw new PyError('TypeError', ['cannot create function objects']);
    },
    (v) => v instanceof PyFunction && !(v instanceof PyBuiltinType),
  );

  const isinstance = (v: unknown, cls: unknown): boolean => {
    if (Array.isArray(cls)) return cls.some((c) => isinstance(v, c));
    if (cls instanceof PyBuiltinType) {
      if (cls === object) return true;
      if (cls === int && typeof v === 'boolean') return true;
      return cls.check(v);
    }
    if (cls instanceof PyClass) {
      const c = env.classOfValue(v);
      return c ? c.isSubclassOf(cls) : false;
    }
    const h = env.host.isinstance?.(v, cls);
    if (h !== undefined) return h;
    if (typeof cls === 'function') return v instanceof (cls as new () => unknown);
    throw new PyError('TypeError', ['isinstance() arg 2 must be a type or tuple of types']);
  };

  const b: Record<string, unknown> = {
    int,
    float,
    bool,
    str,
    list,
    tuple: tupleT,
    dict,
    set,
    frozenset,
    object,
    range,
    slice,
    type: typeT,
    print: fn('print', (a, kw) => {
      const sep = kw.sep === undefined || kw.sep === null ? ' ' : String(kw.sep);
      const end = kw.end === undefined || kw.end === null ? '\n' : String(kw.end);
      env.stdout.push(a.map((x) => env.str(x)).join(sep) + end);
      return null;
    }),
    repr: fn('repr', (a) => env.repr(a[0])),
    ascii: fn('ascii', (a) => env.repr(a[0])),
    format: fn('format', (a) => env.format(a[0], a[1] === undefined ? '' : String(a[1]))),
    len: fn('len', (a) => pyLen(env, a[0])),
    abs: fn('abs', (a) => {
      const v = a[0];
      if (isNumeric(v)) {
        const x = Math.abs(toJsNumber(v));
        return isFloatValue(v) ? new PyFloat(x) : x;
      }
      if (v instanceof PyObject) {
        const m = env.dunderMethod(v, '__abs__');
        if (m) return env.call(m, [], {});
      }
      return env.host.unop('abs', v);
    }),
    round: fn('round', (a, kw) => {
      const v = a[0],
        nd = a[1] ?? kw.ndigits ?? null;
      if (!isNumeric(v)) {
        if (v instanceof PyObject) {
          const m = env.dunderMethod(v, '__round__');
          if (m) return env.call(m, nd === null ? [] : [nd], {});
        }
        return env.host.unop(nd === null ? 'round' : `round:${toJsNumber(nd)}`, v);
      }
      const x = toJsNumber(v);
      if (nd === null) return roundHalfEven(x);
      const k = toJsNumber(nd),
        p = 10 ** k;
      const scaled = x * p;
      const r = Math.abs(scaled % 1) === 0.5 ? roundHalfEven(scaled) / p : Number(x.toFixed(Math.max(0, Math.min(100, k))));
      return isFloatValue(v)
        ? new PyFloat(k >= 0 ? r : Math.round(x / 10 ** -k) * 10 ** -k)
        : Math.round(x / 10 ** Math.max(0, -k)) * 10 ** Math.max(0, -k);
    }),
    pow: fn('pow', (a) =>
      a.length === 3
        ? Number(BigInt(toJsNumber(a[0])) ** BigInt(toJsNumber(a[1])) % BigInt(toJsNumber(a[2])))
        : env.binop('**', a[0], a[1]),
    ),
    divmod: fn('divmod', (a) => tuple([env.binop('//', a[0], a[1]), env.binop('%', a[0], a[1])])),
    min: fn('min', (a, kw) => minMax(env, 'min', a, kw)),
    max: fn('max', (a, kw) => minMax(env, 'max', a, kw)),
    sum: fn('sum', (a, kw) => {
      let acc: unknown = a[1] ?? kw.start ?? 0;
      for (const x of iterate(env, a[0])) acc = env.binop('+', acc, x);
      return acc;
    }),
    any: fn('any', (a) => {
      for (const x of iterate(env, a[0])) if (env.truthy(x)) return true;
      return false;
    }),
    all: fn('all', (a) => {
      for (const x of iterate(env, a[0])) if (!env.truthy(x)) return false;
      return true;
    }),
    sorted: fn('sorted', (a, kw) => sortValues(env, [...iterate(env, a[0])], kw.key, Boolean(kw.reverse && env.truthy(kw.reverse)))),
    reversed: fn('reversed', (a) => {
      const v = a[0];
      if (v instanceof PyObject) {
        const m = env.dunderMethod(v, '__reversed__');
        if (m) return env.call(m, [], {});
      }
      const items = v instanceof PyDict ? v.keys() : [...iterate(env, v)];
      return new PyIterator(items.reverse()[Symbol.iterator](), 'reversed');
    }),
    enumerate: fn('enumerate', (a, kw) => {
      const start = toJsNumber(a[1] ?? kw.start ?? 0);
      const src = iterate(env, a[0]);
      return new PyIterator(
        (function* () {
          let i = start;
          for (const x of src) yield tuple([i++, x]);
        })(),
        'enumerate',
      );
    }),
    zip: fn('zip', (a, kw) => {
      const its = a.map((x) => iterate(env, x));
      const strict = env.truthy(kw.strict ?? false);
      return new PyIterator(
        (function* () {
          if (!its.length) return;
          for (;;) {
            const rs = its.map((it) => it.next());
            const done = rs.filter((r) => r.done).length;
            if (done) {
              if (strict && done !== rs.length) throw new PyError('ValueError', ['zip() arguments have different lengths']);
              return;
            }
            yield tuple(rs.map((r) => r.value));
          }
        })(),
        'zip',
      );
    }),
    map: fn('map', (a) => {
      const f = a[0],
        its = a.slice(1).map((x) => iterate(env, x));
      return new PyIterator(
        (function* () {
          for (;;) {
            const rs = its.map((it) => it.next());
            if (rs.some((r) => r.done)) return;
            yield env.call(
              f,
              rs.map((r) => r.value),
              {},
            );
          }
        })(),
        'map',
      );
    }),
    filter: fn('filter', (a) => {
      const f = a[0],
        src = iterate(env, a[1]);
      return new PyIterator(
        (function* () {
          for (const x of src) if (f === null ? env.truthy(x) : env.truthy(env.call(f, [x], {}))) yield x;
        })(),
        'filter',
      );
    }),
    iter: fn('iter', (a) => {
      const v = a[0];
      if (v instanceof PyIterator) return v;
      if (a.length === 2) {
        const sentinel = a[1];
        return new PyIterator(
          (function* () {
            for (;;) {
              const x = env.call(v, [], {});
              if (pyEquals(x, sentinel)) return;
              env.tick();
              yield x;
            }
          })(),
          'callable_iterator',
        );
      }
      if (v instanceof PyObject) {
        const m = env.dunderMethod(v, '__iter__');
        if (m) {
          const r = env.call(m, [], {});
          if (r instanceof PyObject) return r;
        }
      }
      return new PyIterator(iterate(env, v), Array.isArray(v) ? (isTuple(v) ? 'tuple_iterator' : 'list_iterator') : 'iterator');
    }),
    next: fn('next', (a) => {
      const it = a[0];
      if (it instanceof PyIterator) return nextOf(it, a[1]);
      if (it instanceof PyObject) {
        const m = env.dunderMethod(it, '__next__');
        if (!m) throw new PyError('TypeError', [`'${it.cls.name}' object is not an iterator`]);
        try {
          return env.call(m, [], {});
        } catch (e) {
          if (a.length > 1 && e instanceof PyError && e.cls.name === 'StopIteration') return a[1];
          throw e;
        }
      }
      const nx = it && typeof it === 'object' ? (it as { next?: unknown }).next : undefined;
      if (typeof nx === 'function' && !Array.isArray(it)) {
        const r = (nx as () => IteratorResult<unknown>).call(it);
        if (r && typeof r === 'object' && 'done' in r) {
          if (r.done) {
            if (a.length > 1) return a[1];
            throw new PyError('StopIteration', []);
          }
          return r.value;
        }
      }
      throw new PyError('TypeError', [`'${env.typeName(it)}' object is not an iterator`]);
    }),
    isinstance: fn('isinstance', (a) => isinstance(a[0], a[1])),
    issubclass: fn('issubclass', (a) => {
      const [c, p] = a;
      const check = (x: unknown): boolean =>
        Array.isArray(x) ? x.some(check) : c === x || (c instanceof PyClass && c.isSubclassOf(x)) || x === object;
      return check(p);
    }),
    callable: fn(
      'callable',
      (a) =>
        a[0] instanceof PyFunction ||
        a[0] instanceof PyClass ||
        typeof a[0] === 'function' ||
        (a[0] instanceof PyObject && env.dunderMethod(a[0], '__call__') !== undefined),
    ),
    hasattr: fn('hasattr', (a) => {
      try {
        env.getattr(a[0], String(a[1]));
        return true;
      } catch (e) {
        if (e instanceof PyError && e.cls.name !== 'AttributeError') throw e;
        return false;
      }
    }),
    getattr: fn('getattr', (a) => {
      try {
        return env.getattr(a[0], String(a[1]));
      } catch (e) {
        if (a.length > 2 && (!(e instanceof PyError) || e.cls.name === 'AttributeError')) return a[2];
        throw e;
      }
    }),
    setattr: fn('setattr', (a) => {
      env.setattr(a[0], String(a[1]), a[2]);
      return null;
    }),
    delattr: fn('delattr', (a) => {
      const o = a[0];
      if (o instanceof PyObject) o.attrs.delete(String(a[1]));
      else delete (o as Record<string, unknown>)[String(a[1])];
      return null;
    }),
    id: fn('id', (a) => objectId(a[0]) || (typeof a[0] === 'number' ? a[0] : 0)),
    hash: fn('hash', (a) => {
      const k = hashKey(a[0]);
      return typeof k === 'number' ? k : objectId(typeof k === 'object' ? k : { k });
    }),
    chr: fn('chr', (a) => String.fromCodePoint(toJsNumber(a[0]))),
    ord: fn('ord', (a) => (a[0] as string).codePointAt(0)!),
    hex: fn('hex', (a) => {
      const x = toJsNumber(a[0]);
      return (x < 0 ? '-0x' : '0x') + Math.abs(x).toString(16);
    }),
    bin: fn('bin', (a) => {
      const x = toJsNumber(a[0]);
      return (x < 0 ? '-0b' : '0b') + Math.abs(x).toString(2);
    }),
    oct: fn('oct', (a) => {
      const x = toJsNumber(a[0]);
      return (x < 0 ? '-0o' : '0o') + Math.abs(x).toString(8);
    }),
    vars: fn('vars', (a) => (a[0] instanceof PyObject ? new PyDict(a[0].attrs) : new PyDict(env.vars))),
    dir: fn('dir', (a) =>
      a[0] instanceof PyObject ? [...a[0].attrs.keys(), ...a[0].cls.dict.keys()].sort() : Object.keys(a[0] as object).sort(),
    ),
    globals: fn('globals', () => new PyDict(env.vars)),
    super: fn('super', (a) => env.superOf(a[0] as PyClass, a[1])),
    staticmethod: fn('staticmethod', (a) => env.staticmethod(a[0])),
    classmethod: fn('classmethod', (a) => env.classmethod(a[0])),
    property: fn('property', (a) => env.property(a[0], a[1] ?? null)),
    input: fn('input', () => {
      throw new PyError('RuntimeError', ['input() is not available']);
    }),
    open: fn('open', () => {
      throw new PyError('OSError', ['open() is not available in oracle snippets']);
    }),
    exec: fn('exec', (a) => {
      env.run(String(a[0]));
      return null;
    }),
    eval: fn('eval', (a) => env.evaluate(String(a[0]))),
    NotImplemented: Object.freeze({ __notimplemented__: true }),
    Ellipsis: '...',
    __name__: '__main__',
    function: functionT,
    OrderedDict: orderedDictType(env),
  };
  for (const [k, v] of EXCEPTIONS) b[k] = v;
  return b;
}

function orderedDictType(env: PyEnv): PyBuiltinType {
  return new PyBuiltinType(
    'OrderedDict',
    (a, kw) => {
      const d = new PyDict(a.length ? mappingOrPairs(env, a[0]) : [], true);
      for (const [k, v] of Object.entries(kw)) d.set(k, v);
      return d;
    },
    (v) => v instanceof PyDict && v.ordered,
  );
}

function typeOf(env: PyEnv, v: unknown, t: Record<string, PyBuiltinType>): unknown {
  if (v === null || v === undefined) return t.noneType;
  if (typeof v === 'boolean') return t.bool;
  if (typeof v === 'number') return Number.isInteger(v) ? t.int : t.float;
  if (v instanceof PyFloat) return t.float;
  if (typeof v === 'string') return t.str;
  if (Array.isArray(v)) return isTuple(v) ? t.tuple : t.list;
  if (v instanceof PyDict) return v.ordered ? env.builtins.get('OrderedDict') : t.dict;
  if (v instanceof PySet) return v.frozen ? t.frozenset : t.set;
  if (v instanceof PyRange) return t.range;
  if (v instanceof PySlice) return t.slice;
  if (v instanceof PyObject || v instanceof PyError) return v.cls;
  if (v instanceof PyBuiltinType || v instanceof PyClass) return env.builtins.get('type');
  if (v instanceof PyFunction) return env.builtins.get('function');
  if (v instanceof PyIterator) return { __name__: v.kind };
  const cls = env.classOfValue(v);
  if (cls) return cls;
  const h = env.host.typeOf?.(v);
  if (h !== undefined) return h;
  return { __name__: env.typeName(v) };
}

// ---- standard-library modules -------------------------------------------------------------------------------------

export function BUILTIN_MODULES(env: PyEnv): Record<string, unknown> {
  const num = (v: unknown) => toJsNumber(v instanceof PyObject ? env.call(env.dunderMethod(v, '__float__'), [], {}) : v);
  const f1 = (name: string, f: (x: number) => number) => fn(name, (a) => new PyFloat(f(num(a[0]))));
  const math: Record<string, unknown> = {
    pi: new PyFloat(Math.PI),
    e: new PyFloat(Math.E),
    tau: new PyFloat(2 * Math.PI),
    inf: new PyFloat(Infinity),
    nan: new PyFloat(NaN),
    sqrt: fn('sqrt', (a) => {
      const x = num(a[0]);
      if (x < 0) throw new PyError('ValueError', ['math domain error']);
      return new PyFloat(Math.sqrt(x));
    }),
    exp: f1('exp', Math.exp),
    expm1: f1('expm1', Math.expm1),
    log1p: f1('log1p', Math.log1p),
    log: fn('log', (a) => {
      const x = num(a[0]);
      if (x <= 0) throw new PyError('ValueError', ['math domain error']);
      return new PyFloat(a.length > 1 ? Math.log(x) / Math.log(num(a[1])) : Math.log(x));
    }),
    log2: f1('log2', Math.log2),
    log10: f1('log10', Math.log10),
    sin: f1('sin', Math.sin),
    cos: f1('cos', Math.cos),
    tan: f1('tan', Math.tan),
    asin: f1('asin', Math.asin),
    acos: f1('acos', Math.acos),
    atan: f1('atan', Math.atan),
    sinh: f1('sinh', Math.sinh),
    cosh: f1('cosh', Math.cosh),
    tanh: f1('tanh', Math.tanh),
    atan2: fn('atan2', (a) => new PyFloat(Math.atan2(num(a[0]), num(a[1])))),
    hypot: fn('hypot', (a) => new PyFloat(Math.hypot(...a.map(num)))),
    pow: fn('pow', (a) => new PyFloat(Math.pow(num(a[0]), num(a[1])))),
    fabs: f1('fabs', Math.abs),
    floor: fn('floor', (a) => Math.floor(num(a[0]))),
    ceil: fn('ceil', (a) => Math.ceil(num(a[0]))),
    trunc: fn('trunc', (a) => Math.trunc(num(a[0]))),
    isnan: fn('isnan', (a) => Number.isNaN(num(a[0]))),
    isinf: fn('isinf', (a) => {
      const x = num(a[0]);
      return !Number.isFinite(x) && !Number.isNaN(x);
    }),
    isfinite: fn('isfinite', (a) => Number.isFinite(num(a[0]))),
    isclose: fn('isclose', (a, kw) => {
      const x = num(a[0]),
        y = num(a[1]),
        rt = kw.rel_tol === undefined ? 1e-9 : num(kw.rel_tol),
        at = kw.abs_tol === undefined ? 0 : num(kw.abs_tol);
      return x === y || Math.abs(x - y) <= Math.max(rt * Math.max(Math.abs(x), Math.abs(y)), at);
    }),
    fsum: fn('fsum', (a) => new PyFloat([...iterate(env, a[0])].reduce((s: number, x) => s + num(x), 0))),
    prod: fn('prod', (a, kw) => {
      let acc: unknown = kw.start ?? 1;
      for (const x of iterate(env, a[0])) acc = env.binop('*', acc, x);
      return acc;
    }),
    factorial: fn('factorial', (a) => {
      let r = 1;
      for (let i = 2; i <= num(a[0]); i++) r *= i;
      return r;
    }),
    gcd: fn('gcd', (a) => {
      let [x, y] = [Math.abs(num(a[0])), Math.abs(num(a[1]))];
      while (y) [x, y] = [y, x % y];
      return x;
    }),
    comb: fn('comb', (a) => {
      const n = num(a[0]),
        k = num(a[1]);
      let r = 1;
      for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
      return Math.round(r);
    }),
    degrees: f1('degrees', (x) => (x * 180) / Math.PI),
    radians: f1('radians', (x) => (x * Math.PI) / 180),
    copysign: fn(
      'copysign',
      (a) =>
        new PyFloat(Math.sign(num(a[1])) * Math.abs(num(a[0])) || (Object.is(num(a[1]), -0) ? -Math.abs(num(a[0])) : Math.abs(num(a[0])))),
    ),
    erf: f1('erf', erf),
  };
  const collections = {
    OrderedDict: env.builtins.get('OrderedDict'),
    defaultdict: new PyBuiltinType(
      'defaultdict',
      (a) => {
        const d = new PyDict(a.length > 1 ? mappingOrPairs(env, a[1]) : []);
        (d as PyDict & { defaultFactory?: unknown }).defaultFactory = a[0] ?? null;
        return d;
      },
      (v) => v instanceof PyDict,
    ),
    namedtuple: fn('namedtuple', (a) => {
      const name = String(a[0]);
      const fields = typeof a[1] === 'string' ? (a[1] as string).split(/[\s,]+/).filter(Boolean) : [...iterate(env, a[1])].map(String);
      return fn(name, (args, kw) => {
        const vals = fields.map((f, i) => (i < args.length ? args[i] : kw[f]));
        const t = [...vals] as unknown[] & Record<string, unknown>;
        fields.forEach((f, i) => {
          t[f] = vals[i];
        });
        return Object.freeze(t);
      });
    }),
    Counter: fn('Counter', (a) => {
      const d = new PyDict();
      for (const x of a.length ? iterate(env, a[0]) : []) d.set(x, d.has(x) ? toJsNumber(d.get(x)) + 1 : 1);
      return d;
    }),
    deque: fn('deque', (a) => (a.length ? [...iterate(env, a[0])] : [])),
  };
  const functools = {
    reduce: fn('reduce', (a) => {
      const it = iterate(env, a[1]);
      let acc: unknown;
      if (a.length > 2) acc = a[2];
      else {
        const r = it.next();
        if (r.done) throw new PyError('TypeError', ['reduce() of empty iterable with no initial value']);
        acc = r.value;
      }
      for (const x of it) acc = env.call(a[0], [acc, x], {});
      return acc;
    }),
    partial: fn('partial', (a, kw) => {
      const [f, ...pre] = a;
      return fn('partial', (b, kw2) => env.call(f, [...pre, ...b], { ...kw, ...kw2 }));
    }),
    wraps: fn('wraps', () => fn('wraps', (b) => b[0])),
    lru_cache: fn('lru_cache', (a) => (a[0] instanceof PyFunction ? a[0] : fn('lru_cache', (b) => b[0]))),
  };
  const itertools = {
    chain: Object.assign(
      fn(
        'chain',
        (a) =>
          new PyIterator(
            (function* () {
              for (const x of a) yield* iterate(env, x);
            })(),
            'chain',
          ),
      ),
      {},
    ),
    product: fn('product', (a, kw) => {
      const pools = a.map((x) => [...iterate(env, x)]);
      const rep = kw.repeat === undefined ? 1 : toJsNumber(kw.repeat);
      const all = Array.from({ length: rep }, () => pools).flat();
      let res: unknown[][] = [[]];
      for (const p of all) res = res.flatMap((r) => p.map((x) => [...r, x]));
      return new PyIterator(res.map((r) => tuple(r))[Symbol.iterator](), 'product');
    }),
    islice: fn('islice', (a) => {
      const [startA, stopA, stepA] = a.length === 2 ? [0, a[1], 1] : [a[1] ?? 0, a[2], a[3] ?? 1];
      const start = toJsNumber(startA ?? 0),
        stop = stopA === null || stopA === undefined ? Infinity : toJsNumber(stopA),
        step = toJsNumber(stepA ?? 1);
      const src = iterate(env, a[0]);
      return new PyIterator(
        (function* () {
          let i = 0;
          for (const x of src) {
            if (i >= stop) return;
            if (i >= start && (i - start) % step === 0) yield x;
            i++;
          }
        })(),
        'islice',
      );
    }),
    count: fn('count', (a) => {
      let i = a.length ? toJsNumber(a[0]) : 0;
      const st = a.length > 1 ? toJsNumber(a[1]) : 1;
      const isF = a.some(isFloatValue);
      return new PyIterator(
        (function* () {
          for (;;) {
            env.tick();
            yield isF ? new PyFloat(i) : i;
            i += st;
          }
        })(),
        'count',
      );
    }),
    repeat: fn('repeat', (a) => {
      const n = a.length > 1 ? toJsNumber(a[1]) : Infinity;
      return new PyIterator(
        (function* () {
          for (let i = 0; i < n; i++) {
            env.tick();
            yield a[0];
          }
        })(),
        'repeat',
      );
    }),
    cycle: fn('cycle', (a) => {
      const items = [...iterate(env, a[0])];
      return new PyIterator(
        (function* () {
          if (!items.length) return;
          for (;;)
            for (const x of items) {
              env.tick();
              yield x;
            }
        })(),
        'cycle',
      );
    }),
    accumulate: fn('accumulate', (a, kw) => {
      const f = a[1] ?? kw.func ?? null;
      const src = iterate(env, a[0]);
      return new PyIterator(
        (function* () {
          let acc: unknown,
            first = true;
          if (kw.initial !== undefined) {
            acc = kw.initial;
            first = false;
            yield acc;
          }
          for (const x of src) {
            acc = first ? x : f ? env.call(f, [acc, x], {}) : env.binop('+', acc, x);
            first = false;
            yield acc;
          }
        })(),
        'accumulate',
      );
    }),
    combinations: fn('combinations', (a) => {
      const pool = [...iterate(env, a[0])],
        r = toJsNumber(a[1]);
      const out: unknown[] = [];
      const rec = (start: number, cur: unknown[]) => {
        if (cur.length === r) {
          out.push(tuple([...cur]));
          return;
        }
        for (let i = start; i < pool.length; i++) rec(i + 1, [...cur, pool[i]]);
      };
      rec(0, []);
      return new PyIterator(out[Symbol.iterator](), 'combinations');
    }),
    permutations: fn('permutations', (a) => {
      const pool = [...iterate(env, a[0])],
        r = a[1] === undefined || a[1] === null ? pool.length : toJsNumber(a[1]);
      const out: unknown[] = [];
      const rec = (cur: number[]) => {
        if (cur.length === r) {
          out.push(tuple(cur.map((i) => pool[i])));
          return;
        }
        for (let i = 0; i < pool.length; i++) if (!cur.includes(i)) rec([...cur, i]);
      };
      rec([]);
      return new PyIterator(out[Symbol.iterator](), 'permutations');
    }),
    zip_longest: fn('zip_longest', (a, kw) => {
      const lists = a.map((x) => [...iterate(env, x)]);
      const n = Math.max(0, ...lists.map((l) => l.length));
      const fill = kw.fillvalue ?? null;
      return new PyIterator(
        Array.from({ length: n }, (_, i) => tuple(lists.map((l) => (i < l.length ? l[i] : fill))))[Symbol.iterator](),
        'zip_longest',
      );
    }),
  };
  const operator: Record<string, unknown> = {};
  for (const [n, op] of Object.entries({
    add: '+',
    sub: '-',
    mul: '*',
    truediv: '/',
    floordiv: '//',
    mod: '%',
    pow: '**',
    matmul: '@',
    and_: '&',
    or_: '|',
    xor: '^',
  }))
    operator[n] = fn(n, (a) => env.binop(op, a[0], a[1]));
  for (const [n, op] of Object.entries({ eq: '==', ne: '!=', lt: '<', le: '<=', gt: '>', ge: '>=' }))
    operator[n] = fn(n, (a) => env.compare(op, a[0], a[1]));
  operator.neg = fn('neg', (a) => env.unop('-', a[0]));
  operator.itemgetter = fn('itemgetter', (a) =>
    fn('itemgetter', (b) => (a.length === 1 ? env.subscript(b[0], [a[0]], false) : tuple(a.map((k) => env.subscript(b[0], [k], false))))),
  );
  operator.attrgetter = fn('attrgetter', (a) =>
    fn('attrgetter', (b) =>
      String(a[0])
        .split('.')
        .reduce((o: unknown, n) => env.getattr(o, n), b[0]),
    ),
  );
  const copy = {
    copy: fn('copy', (a) => shallowCopy(a[0])),
    deepcopy: fn('deepcopy', (a) => deepCopy(env, a[0], new Map())),
  };
  const typing: Record<string, unknown> = {};
  for (const n of ['List', 'Dict', 'Tuple', 'Optional', 'Union', 'Any', 'Callable', 'Iterable', 'Iterator', 'Sequence', 'Set'])
    typing[n] = env.builtins.get('object');
  return { math, collections, functools, itertools, operator, copy, typing, builtins: Object.fromEntries(env.builtins) };
}

function shallowCopy(v: unknown): unknown {
  if (Array.isArray(v)) return isTuple(v) ? v : [...v];
  if (v instanceof PyDict) return new PyDict(v.entries(), v.ordered);
  if (v instanceof PySet) return new PySet(v.items(), v.frozen);
  if (v instanceof PyObject) {
    const o = new PyObject(v.cls);
    for (const [k, x] of v.attrs) o.attrs.set(k, x);
    return o;
  }
  return v;
}
function deepCopy(env: PyEnv, v: unknown, memo: Map<unknown, unknown>): unknown {
  if (memo.has(v)) return memo.get(v);
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    memo.set(v, out);
    out.push(...v.map((x) => deepCopy(env, x, memo)));
    return isTuple(v) ? tuple(out) : out;
  }
  if (v instanceof PyDict) {
    const d = new PyDict([], v.ordered);
    memo.set(v, d);
    for (const [k, x] of v.entries()) d.set(k, deepCopy(env, x, memo));
    return d;
  }
  if (v instanceof PySet) return new PySet(v.items(), v.frozen);
  if (v instanceof PyObject) {
    const o = new PyObject(v.cls);
    memo.set(v, o);
    for (const [k, x] of v.attrs) o.attrs.set(k, deepCopy(env, x, memo));
    return o;
  }
  if (v && typeof v === 'object' && !(v instanceof PyFloat) && !(v instanceof PyFunction) && !(v instanceof PyClass)) {
    const clone = (v as { clone?: () => unknown; deepcopy?: () => unknown }).deepcopy ?? (v as { clone?: () => unknown }).clone;
    if (typeof clone === 'function') return clone.call(v);
  }
  return v;
}

function erf(x: number): number {
  // Abramowitz-Stegun 7.1.26 is not exact enough; use a series / continued fraction split.
  const t = Math.abs(x);
  if (t < 2.5) {
    let sum = t,
      term = t;
    for (let n = 1; n < 60; n++) {
      term *= (-t * t) / n;
      sum += term / (2 * n + 1);
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  let f = 0;
  for (let n = 60; n >= 1; n--) f = n / 2 / (t + f);
  return Math.sign(x) * (1 - Math.exp(-t * t) / Math.sqrt(Math.PI) / (t + f));
}
