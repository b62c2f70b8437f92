// Pure state of the Time Series page (unit-tested in test/app/time-series-model.test.ts): which
// cards exist, how the tag filter and the plugin filter narrow them, which are pinned, and how
// per-card settings travel in the URL. No React here, so every rule is testable on its own.
//
// As in TensorBoard's Time Series: a scalar card shows one tag over every selected run; image and
// histogram cards show one tag of one run. Cards group by the tag's first path segment.
import type { NameFilter } from '../../../lib/pattern.ts';
import type { XAxisMode } from '../scalars/math.ts';

export type CardKind = 'scalar' | 'image' | 'histogram';
export const CARD_KINDS: readonly CardKind[] = ['scalar', 'image', 'histogram'];

export interface CardRef {
  kind: CardKind;
  tag: string;
  /** null for scalar cards (all runs in one chart). */
  run: string | null;
}

/** tag -> runs holding it, per kind (as tagsOfKind returns them). */
export type TagRunsByKind = Record<CardKind, Map<string, string[]>>;

/**
 * A card's stable id, used for pins and per-card settings in the URL. Tag and run are
 * percent-encoded, so ':' and '|' never occur inside them and the id parses back unambiguously.
 */
export function cardId(c: CardRef): string {
  const base = `${c.kind}:${encodeURIComponent(c.tag)}`;
  return c.run === null ? base : `${base}:${encodeURIComponent(c.run)}`;
}

/** The card an id names, or null for anything malformed (ids come from URLs people edit). */
export function parseCardId(id: string): CardRef | null {
  const parts = id.split(':');
  const kind = parts[0] as CardKind;
  if (!CARD_KINDS.includes(kind)) return null;
  const wantParts = kind === 'scalar' ? 2 : 3;
  if (parts.length !== wantParts) return null;
  try {
    const tag = decodeURIComponent(parts[1]!);
    const run = kind === 'scalar' ? null : decodeURIComponent(parts[2]!);
    if (tag === '' || run === '') return null;
    return { kind, tag, run };
  } catch {
    return null; // a lone '%' and the like
  }
}

/** Cards group by the tag's first path segment; tags without one share a top-level group. */
export const TOP_LEVEL_GROUP = '(top level)';
export function groupOf(tag: string): string {
  const i = tag.indexOf('/');
  return i > 0 ? tag.slice(0, i) : TOP_LEVEL_GROUP;
}

export interface Grid {
  /** Pinned cards that exist for the selected runs, in the order they were pinned. */
  pinned: CardRef[];
  /** Unpinned cards that pass the filters, by group (groups and cards sorted). */
  groups: Array<{ name: string; cards: CardRef[] }>;
  /** Cards per kind after filtering, pinned ones included. */
  counts: Record<CardKind, number>;
}

const KIND_ORDER: Record<CardKind, number> = { scalar: 0, image: 1, histogram: 2 };

function compareCards(a: CardRef, b: CardRef): number {
  if (a.tag !== b.tag) return a.tag < b.tag ? -1 : 1;
  if (a.kind !== b.kind) return KIND_ORDER[a.kind] - KIND_ORDER[b.kind];
  const ra = a.run ?? '',
    rb = b.run ?? '';
  return ra < rb ? -1 : ra > rb ? 1 : 0;
}

/**
 * Lays out the grid. The tag filter and the plugin filter narrow the groups; pinned cards stay
 * visible whatever the filters say (as in TensorBoard: pinning is how one keeps a card in sight
 * while filtering for others), but only while their run is selected.
 */
export function buildGrid(
  tags: TagRunsByKind,
  opts: { filter: NameFilter | null; kinds: ReadonlySet<CardKind>; pinned: readonly string[] },
): Grid {
  const pinnedSet = new Set(opts.pinned);
  const exists = new Map<string, CardRef>();
  const shown: CardRef[] = [];
  const counts: Record<CardKind, number> = { scalar: 0, image: 0, histogram: 0 };
  for (const kind of CARD_KINDS) {
    for (const [tag, runs] of tags[kind]) {
      const refs: CardRef[] = kind === 'scalar' ? (runs.length ? [{ kind, tag, run: null }] : []) : runs.map((run) => ({ kind, tag, run }));
      const passes = opts.kinds.has(kind) && (opts.filter === null || opts.filter.test(tag));
      for (const ref of refs) {
        const id = cardId(ref);
        if (pinnedSet.has(id)) {
          exists.set(id, ref);
          counts[kind]++;
        } else if (passes) {
          shown.push(ref);
          counts[kind]++;
        }
      }
    }
  }
  shown.sort(compareCards);
  const byGroup = new Map<string, CardRef[]>();
  for (const c of shown) {
    const g = groupOf(c.tag);
    const list = byGroup.get(g);
    if (list) list.push(c);
    else byGroup.set(g, [c]);
  }
  const names = [...byGroup.keys()].sort((a, b) => (a === TOP_LEVEL_GROUP ? -1 : b === TOP_LEVEL_GROUP ? 1 : a < b ? -1 : a > b ? 1 : 0));
  const pinned: CardRef[] = [];
  const seen = new Set<string>();
  for (const id of opts.pinned) {
    const ref = exists.get(id);
    if (ref && !seen.has(id)) {
      pinned.push(ref);
      seen.add(id);
    }
  }
  return { pinned, groups: names.map((name) => ({ name, cards: byGroup.get(name)! })), counts };
}

/** The pin list after toggling one card (appended when pinned, so pins keep their order). */
export function togglePin(pins: readonly string[], id: string): string[] {
  return pins.includes(id) ? pins.filter((p) => p !== id) : [...pins, id];
}

/** Which kinds the plugin filter shows: URL `tsKind` is one of 'scalar' | 'image' | 'histogram', else all. */
export function kindsShown(param: string | null): Set<CardKind> {
  return CARD_KINDS.includes(param as CardKind) ? new Set([param as CardKind]) : new Set(CARD_KINDS);
}

// ---- per-card settings ------------------------------------------------------------------------

export type HistogramMode = 'offset' | 'overlay' | 'distribution';
export const HISTOGRAM_MODES: readonly HistogramMode[] = ['offset', 'overlay', 'distribution'];
const X_MODES: readonly XAxisMode[] = ['step', 'relative', 'wall'];

/** Overrides of the page-wide settings for one card; an absent field follows the page. */
export interface CardSettings {
  /** Scalar: smoothing weight in [0, 0.999]. */
  smoothing?: number;
  /** Scalar: logarithmic y axis. */
  logY?: boolean;
  /** Scalar: x axis. */
  xAxis?: XAxisMode;
  /** Scalar: y range ignores outliers. */
  ignoreOutliers?: boolean;
  /** Image: CSS brightness / contrast factors in [0, 4]. */
  brightness?: number;
  contrast?: number;
  /** Image: show at the stored size instead of fitting the card. */
  actual?: boolean;
  /** Histogram: offset (ridgeline), overlay or distribution. */
  mode?: HistogramMode;
}

/** The settings each kind of card accepts (anything else in a URL is dropped). */
const FIELDS: Record<CardKind, ReadonlyArray<keyof CardSettings>> = {
  scalar: ['smoothing', 'logY', 'xAxis', 'ignoreOutliers'],
  image: ['brightness', 'contrast', 'actual'],
  histogram: ['mode'],
};

/** Short URL keys of the settings. */
const KEYS: Record<keyof CardSettings, string> = {
  smoothing: 's',
  logY: 'logy',
  xAxis: 'x',
  ignoreOutliers: 'outliers',
  brightness: 'b',
  contrast: 'c',
  actual: 'actual',
  mode: 'm',
};

function parseNumber(raw: string, min: number, max: number): number | undefined {
  if (raw.trim() === '') return undefined;
  const n = Number(raw);
  return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : undefined;
}

function parseBool(raw: string): boolean | undefined {
  return raw === '1' ? true : raw === '0' ? false : undefined;
}

function parseField(field: keyof CardSettings, raw: string): CardSettings[keyof CardSettings] {
  switch (field) {
    case 'smoothing':
      return parseNumber(raw, 0, 0.999);
    case 'brightness':
    case 'contrast':
      return parseNumber(raw, 0, 4);
    case 'logY':
    case 'ignoreOutliers':
    case 'actual':
      return parseBool(raw);
    case 'xAxis':
      return X_MODES.includes(raw as XAxisMode) ? (raw as XAxisMode) : undefined;
    case 'mode':
      return HISTOGRAM_MODES.includes(raw as HistogramMode) ? (raw as HistogramMode) : undefined;
  }
}

/** 's=0.3&logy=1' -> { smoothing: 0.3, logY: true }, keeping only valid fields of that kind. */
export function parseCardSettings(kind: CardKind, raw: string): CardSettings {
  const sp = new URLSearchParams(raw);
  const out: CardSettings = {};
  for (const field of FIELDS[kind]) {
    const v = sp.get(KEYS[field]);
    if (v === null) continue;
    const parsed = parseField(field, v);
    if (parsed !== undefined) (out as Record<string, unknown>)[field] = parsed;
  }
  return out;
}

/** The inverse of parseCardSettings ('' when nothing is overridden). */
export function serializeCardSettings(kind: CardKind, s: CardSettings): string {
  const sp = new URLSearchParams();
  for (const field of FIELDS[kind]) {
    const v = s[field];
    if (v === undefined) continue;
    sp.set(KEYS[field], typeof v === 'boolean' ? (v ? '1' : '0') : String(v));
  }
  return sp.toString();
}

/** Separates a card id from its settings in one URL value (ids never contain '|'). */
const SEP = '|';

/** URL values (`tsCard`, repeated) -> card id -> its overrides. Malformed entries are ignored. */
export function readCardSettings(values: readonly string[]): Map<string, CardSettings> {
  const out = new Map<string, CardSettings>();
  for (const v of values) {
    const at = v.indexOf(SEP);
    if (at < 0) continue;
    const id = v.slice(0, at);
    const ref = parseCardId(id);
    if (!ref) continue;
    const s = parseCardSettings(ref.kind, v.slice(at + 1));
    if (Object.keys(s).length) out.set(id, s);
  }
  return out;
}

/** The `tsCard` URL values after setting one card's overrides (a card without any drops out). */
export function writeCardSettings(all: ReadonlyMap<string, CardSettings>, id: string, next: CardSettings): string[] {
  const ref = parseCardId(id);
  const merged = new Map(all);
  if (!ref) return encodeAll(merged);
  if (serializeCardSettings(ref.kind, next) === '') merged.delete(id);
  else merged.set(id, next);
  return encodeAll(merged);
}

function encodeAll(all: ReadonlyMap<string, CardSettings>): string[] {
  const out: string[] = [];
  for (const [id, s] of all) {
    const ref = parseCardId(id);
    if (!ref) continue;
    const body = serializeCardSettings(ref.kind, s);
    if (body) out.push(`${id}${SEP}${body}`);
  }
  return out;
}

/** A card's effective value: its override when set, else the page's. */
export function effective<T>(override: T | undefined, page: T): T {
  return override === undefined ? page : override;
}
