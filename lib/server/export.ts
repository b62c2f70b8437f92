// Streams the store's full-resolution scalar export as CSV or JSON without building it in memory.
// Fails the Next build if a client component imports this module (the store and its data stay on the server).
import 'server-only';
import { csvTextCell } from '../csv.ts';
import type { NameFilter } from '../pattern.ts';
import type { ExportRow, StoreQueries } from '../store/types.ts';

// Rows per pull: small enough that one pull never holds the event loop for long (other requests
// and the live feed wait behind it), large enough to amortize the stream's overhead.
const CHUNK_ROWS = 2000;

/** Same spelling as `board export`: non-finite values as nan / inf / -inf. */
function valueText(v: number): string {
  return Number.isFinite(v) ? String(v) : Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
}

function csvRow(r: ExportRow, group: string | undefined): string {
  const head = group === undefined ? '' : `${csvTextCell(group)},`;
  return `${head}${csvTextCell(r.run)},${csvTextCell(r.tag)},${r.step},${r.wallTime ?? ''},${valueText(r.value)}\n`;
}

/** `groupOf` (run groups, lib/server/run-groups.ts) adds a leading `group` column / field to every row. */
export function exportStream(
  queries: StoreQueries,
  opts: { runs?: NameFilter; tags?: NameFilter; format: 'csv' | 'json'; groupOf?: (run: string) => string },
): Response {
  const batches = queries.exportScalars({ runs: opts.runs, tags: opts.tags })[Symbol.asyncIterator]();
  const encoder = new TextEncoder();
  let first = true;
  let done = false;
  let pendingRows: ExportRow[] = [];
  let at = 0;
  /** The next row, fetching the next batch from the store when the current one is used up. */
  const nextRow = async (): Promise<ExportRow | null> => {
    while (at >= pendingRows.length) {
      const b = await batches.next();
      if (b.done) return null;
      pendingRows = b.value;
      at = 0;
    }
    return pendingRows[at++]!;
  };
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (done) return;
      let text = '';
      if (first) text += opts.format === 'csv' ? `${opts.groupOf ? 'group,' : ''}run,tag,step,wall_time,value\n` : '[';
      for (let i = 0; i < CHUNK_ROWS; i++) {
        const r = at < pendingRows.length ? pendingRows[at++]! : await nextRow();
        if (r === null) {
          done = true;
          break;
        }
        const group = opts.groupOf?.(r.run);
        if (opts.format === 'csv') text += csvRow(r, group);
        else {
          // JSON has no NaN/Infinity: non-finite values go out as strings, as `board export` writes them.
          const value = Number.isFinite(r.value) ? r.value : valueText(r.value);
          const row = { run: r.run, tag: r.tag, step: r.step, wall_time: r.wallTime, value };
          text += `${first ? '' : ','}\n${JSON.stringify(group === undefined ? row : { group, ...row })}`;
          first = false;
        }
        first = false;
      }
      if (done && opts.format === 'json') text += '\n]\n';
      first = false;
      controller.enqueue(encoder.encode(text));
      if (done) controller.close();
    },
    async cancel() {
      await batches.return?.();
    },
  });
  return new Response(stream, {
    headers: {
      'content-type': opts.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
      'content-disposition': `attachment; filename="board-scalars.${opts.format}"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    },
  });
}
