// PyTorch <-> TypeScript naming for optimizer hyperparameters and state (weight_decay <-> weightDecay).

/** weightDecay -> weight_decay, TMax -> T_max, initialLr -> initial_lr. */
export function camelToSnake(s: string): string {
  if (s === 'TMax') return 'T_max';
  return s.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());
}

/** weight_decay -> weightDecay, T_max -> TMax. */
export function snakeToCamel(s: string): string {
  return s.replace(/_([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase());
}

export { pyRepr } from '../nn/pyrepr.ts';
