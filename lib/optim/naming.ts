// PyTorch <-> TypeScript naming for optimizer hyperparameters and state (weight_decay <-> weightDecay), and
// Python's repr of the values that appear in an optimizer's repr.

/** weightDecay -> weight_decay, TMax -> T_max, initialLr -> initial_lr. */
export function camelToSnake(s: string): string {
  if (s === 'TMax') return 'T_max';
  return s.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());
}

/** weight_decay -> weightDecay, T_max -> TMax. */
export function snakeToCamel(s: string): string {
  return s.replace(/_([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Python's repr of a float: shortest round-trip digits, exponent form below 1e-4 or from 1e16 ('1e-08'). */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return String(x);
  const [mant, expStr] = x.toExponential().split('e') as [string, string];
  const exp = Number(expStr);
  if (exp >= -5 && exp < 16) {
    // Python switches to exponent form when exp < -4: 0.0001 is positional, 1e-05 is not.
    if (exp >= -4) return String(x);
  }
  const sign = exp < 0 ? '-' : '+';
  const digits = String(Math.abs(exp)).padStart(2, '0');
  return `${mant}e${sign}${digits}`;
}

/** Python repr of optimizer hyperparameter values: None/True/False, tuples in parentheses. */
export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return pyFloat(v);
  if (typeof v === 'string') return `'${v}'`;
  if (Array.isArray(v)) return v.length === 1 ? `(${pyRepr(v[0])},)` : `(${v.map(pyRepr).join(', ')})`;
  return String(v);
}
