// add_custom_scalars' layout: the custom_scalar plugin's Layout proto, written as PyTorch writes it
// (a DT_STRING tensor holding the serialized Layout, tag 'custom_scalars__config__'), and read
// back from any writer's bytes for the Custom Scalars dashboard.
import { ProtoReader, ProtoWriter, WIRE_LEN } from './wire.ts';

/** PyTorch's layout dict: category -> chart title -> ['Multiline', tags] or ['Margin', [value, lower, upper]]. */
export type CustomScalarLayout = Record<string, Record<string, ['Multiline' | 'Margin', string[]]>>;

export interface LayoutChart {
  title: string;
  multiline?: { tags: string[] };
  margin?: { series: Array<{ value: string; lower: string; upper: string }> };
}
export interface LayoutCategory {
  title: string;
  closed: boolean;
  charts: LayoutChart[];
}

export const CUSTOM_SCALARS_TAG = 'custom_scalars__config__';

/** Serialized Layout: categories and charts in the dict's order, as summary.custom_scalars builds them. */
export function encodeLayout(layout: CustomScalarLayout, what = 'addCustomScalars'): Uint8Array {
  const l = new ProtoWriter();
  for (const [category, charts] of Object.entries(layout)) {
    const c = new ProtoWriter();
    c.string(1, category);
    for (const [title, spec] of Object.entries(charts)) {
      if (!Array.isArray(spec) || spec.length !== 2 || !Array.isArray(spec[1]))
        throw new Error(`${what}: chart '${title}' must be ['Multiline' | 'Margin', tags]`);
      const [kind, tags] = spec;
      const chart = new ProtoWriter();
      if (title) chart.string(1, title);
      if (kind === 'Margin') {
        if (tags.length !== 3)
          throw new Error(`${what}: Margin chart '${title}' needs exactly 3 tags [value, lower, upper], got ${tags.length}`);
        const series = new ProtoWriter();
        if (tags[0]) series.string(1, tags[0]);
        if (tags[1]) series.string(2, tags[1]);
        if (tags[2]) series.string(3, tags[2]);
        const margin = new ProtoWriter();
        margin.message(1, series);
        chart.message(3, margin);
      } else {
        const multi = new ProtoWriter();
        for (const t of tags) multi.string(1, t);
        chart.message(2, multi);
      }
      c.message(2, chart);
    }
    l.message(2, c);
  }
  return l.finish().slice();
}

/** Walks a message's fields: length-delimited ones go to fn with their payload range, others are skipped. */
function fields(
  buf: Uint8Array,
  start: number,
  end: number,
  fn: (field: number, s0: number, e0: number) => void,
  onVarint?: (field: number, v: number) => void,
): void {
  const r = new ProtoReader(buf);
  r.reset(start, end);
  while (r.pos < end) {
    const key = r.uint32();
    const field = key >>> 3,
      wire = key & 7;
    if (wire === WIRE_LEN) {
      const e0 = r.lenEnd();
      const s0 = r.pos;
      r.pos = e0;
      fn(field, s0, e0);
    } else if (wire === 0 && onVarint) onVarint(field, r.varint64());
    else r.skip(wire);
  }
}

const text = (buf: Uint8Array, a: number, b: number) => new TextDecoder().decode(buf.subarray(a, b));

/** Decodes a serialized Layout (from PyTorch, tensorboardX or TensorFlow's summary_lib). */
export function decodeLayout(buf: Uint8Array): LayoutCategory[] {
  const out: LayoutCategory[] = [];
  fields(buf, 0, buf.length, (f, cs, ce) => {
    if (f !== 2) return;
    const cat: LayoutCategory = { title: '', closed: false, charts: [] };
    fields(
      buf,
      cs,
      ce,
      (g, a, b) => {
        if (g === 1) {
          cat.title = text(buf, a, b);
          return;
        }
        if (g !== 2) return;
        const chart: LayoutChart = { title: '' };
        fields(buf, a, b, (h, s0, e0) => {
          if (h === 1) chart.title = text(buf, s0, e0);
          else if (h === 2) {
            const tags: string[] = [];
            fields(buf, s0, e0, (k, x, y) => {
              if (k === 1) tags.push(text(buf, x, y));
            });
            chart.multiline = { tags };
          } else if (h === 3) {
            const series: Array<{ value: string; lower: string; upper: string }> = [];
            fields(buf, s0, e0, (k, x, y) => {
              if (k !== 1) return;
              const one = { value: '', lower: '', upper: '' };
              fields(buf, x, y, (m, p, q) => {
                if (m === 1) one.value = text(buf, p, q);
                else if (m === 2) one.lower = text(buf, p, q);
                else if (m === 3) one.upper = text(buf, p, q);
              });
              series.push(one);
            });
            chart.margin = { series };
          }
        });
        cat.charts.push(chart);
      },
      (g, v) => {
        if (g === 3) cat.closed = v !== 0;
      },
    );
    out.push(cat);
  });
  return out;
}
