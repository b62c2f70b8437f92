// Collects a store's batched scalar export (StoreQueries.exportScalars) into one array.
import type { ExportRow } from '../../lib/store/types.ts';

export async function collectRows(batches: AsyncIterable<ExportRow[]>): Promise<ExportRow[]> {
  const out: ExportRow[] = [];
  for await (const b of batches) for (const r of b) out.push(r);
  return out;
}
