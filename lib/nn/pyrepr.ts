// Python's repr of the small values that appear in module and optimizer reprs (floats, tuples, None, bools),
// so `String(module)` prints exactly what PyTorch prints.

/** Shortest round-trip digits with Python's exponent rule: positional for 1e-4 <= |x| < 1e16, else '1e-05'. */
function pyFloatDigits(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mant, expStr] = x.toExponential().split('e') as [string, string];
  const exp = Number(expStr);
  if (exp >= -4 && exp < 16) {
    const s = String(x);
    if (!s.includes('e')) return s;
    // JS switches to exponent form below 1e-6; write it out positionally.
    return x.toFixed(-exp + (mant.replace('-', '').replace('.', '').length - 1));
  }
  return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

/** A Python float: integral values keep '.0' (0.0, 1.0, 1e+16). */
export function pyFloat(x: number): string {
  const s = pyFloatDigits(x);
  return /^-?\d+$/.test(s) ? `${s}.0` : s;
}

/** A number whose Python type we cannot know: integral values print as ints (PyTorch's int defaults). */
export function pyNum(x: number): string {
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return String(x);
  return pyFloatDigits(x);
}

/** Python repr of option values: None/True/False, quoted strings, tuples, numbers as pyNum. */
export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return pyNum(v);
  if (typeof v === 'string') return `'${v}'`;
  if (Array.isArray(v)) return v.length === 1 ? `(${pyRepr(v[0])},)` : `(${v.map(pyRepr).join(', ')})`;
  return String(v);
}

/** Like pyRepr but strings unquoted (PyTorch formats most extra_repr fields with str.format). */
export function pyStr(v: unknown): string {
  return typeof v === 'string' ? v : pyRepr(v);
}

export const pyBool = (b: boolean): string => (b ? 'True' : 'False');
