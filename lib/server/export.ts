// Streams the store's full-resolution scalar export as CSV or JSON without building it in memory.
import type { ExportRow, StoreQueries } from '../store/types.ts';

const CHUNK_ROWS = 5000;

function csvField(value: string): string {
  // Quote always when needed; a leading = + - @ is prefixed so spreadsheets do not run it as a formula.
  const safe = /^[=+\-@\t\r]/.test(value) && !/^-?\d/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** Same spelling as `board export`: non-finite values as nan / inf / -inf. */
function valueText(v: number): string {
  return Number.isFinite(v) ? String(v) : Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
}

function csvRow(r: ExportRow, group: string | undefined): string {
  const head = group === undefined ? '' : `${csvField(group)},`;
  return `${head}${csvField(r.run)},${csvField(r.tag)},${r.step},${r.wallTime ?? ''},${valueText(r.value)}\n`;
}

/** `groupOf` (run groups, lib/server/run-groups.ts) adds a leading `group` column / field to every row. */
export function exportStream(queries: StoreQueries, opts: { runs?: RegExp; tags?: RegExp; format: 'csv' | 'json'; groupOf?: (run: string) => string }): Response {
  const rows = queries.exportScalars({ runs: opts.runs, tags: opts.tags })[Symbol.iterator]();
  const encoder = new TextEncoder();
  let first = true;
  let done = false;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (done) return;
      let text = '';
      if (first) text += opts.format === 'csv' ? `${opts.groupOf ? 'group,' : ''}run,tag,step,wall_time,value\n` : '[';
      for (let i = 0; i < CHUNK_ROWS; i++) {
        const next = rows.next();
        if (next.done) { done = true; break; }
        const r = next.value;
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
