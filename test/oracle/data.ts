// Oracle runner for transforms and data cases (owned by the data/vision helper; stub until it lands).
import type { OracleCase } from './compare.ts';
export function handles(_c: OracleCase): boolean { return false; }
export function run(_c: OracleCase): void { throw new Error('data runner not implemented'); }
