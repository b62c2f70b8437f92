import { describe, expect, test } from 'vitest';
import { compilePattern } from '../../lib/pattern.ts';
import {
  buildGrid,
  cardId,
  groupOf,
  kindsShown,
  parseCardId,
  parseCardSettings,
  readCardSettings,
  serializeCardSettings,
  togglePin,
  writeCardSettings,
  type CardKind,
  type TagRunsByKind,
} from '../../app/ui/time-series/model.ts';

const ALL = kindsShown(null);

function tags(): TagRunsByKind {
  return {
    scalar: new Map([
      ['loss/train', ['a', 'b']],
      ['loss/test', ['a']],
      ['accuracy', ['a', 'b']],
    ]),
    image: new Map([['samples/rgb', ['a', 'b']]]),
    histogram: new Map([
      ['weights/fc1', ['a', 'b']],
      ['loss/dist', ['b']],
    ]),
  };
}

const ids = (cards: Array<{ kind: CardKind; tag: string; run: string | null }>) => cards.map(cardId);

describe('card ids', () => {
  test('round-trip any tag and run, including separators and percent signs', () => {
    for (const ref of [
      { kind: 'scalar' as const, tag: 'loss/train', run: null },
      { kind: 'image' as const, tag: 'a:b|c%d', run: 'run:1|x' },
      { kind: 'histogram' as const, tag: '<img src=x>', run: 'ünï/cödé' },
    ]) {
      const id = cardId(ref);
      expect(id.includes('|')).toBe(false);
      expect(parseCardId(id)).toEqual(ref);
    }
  });

  test('malformed ids are rejected, not guessed', () => {
    for (const bad of ['', 'scalar', 'scalar:', 'image:tag', 'image:tag:', 'text:a', 'scalar:a:b', 'image:%E0%A4%A:r', 'histogram:a:b:c'])
      expect(parseCardId(bad), bad).toBeNull();
  });
});

describe('grid', () => {
  test('one scalar card per tag, one image / histogram card per tag and run, grouped by prefix', () => {
    const g = buildGrid(tags(), { filter: null, kinds: ALL, pinned: [] });
    expect(g.counts).toEqual({ scalar: 3, image: 2, histogram: 3 });
    expect(g.groups.map((x) => x.name)).toEqual(['(top level)', 'loss', 'samples', 'weights']);
    // Within a group: by tag, then scalar < image < histogram, then run.
    expect(ids(g.groups[1]!.cards)).toEqual(['histogram:loss%2Fdist:b', 'scalar:loss%2Ftest', 'scalar:loss%2Ftrain']);
    expect(groupOf('/lead')).toBe('(top level)');
  });

  test('the tag filter (RE2, case-insensitive) and the plugin filter narrow the cards', () => {
    const g = buildGrid(tags(), { filter: compilePattern('^LOSS', { ignoreCase: true }), kinds: ALL, pinned: [] });
    expect(g.counts).toEqual({ scalar: 2, image: 0, histogram: 1 });
    const h = buildGrid(tags(), { filter: null, kinds: kindsShown('histogram'), pinned: [] });
    expect(h.counts).toEqual({ scalar: 0, image: 0, histogram: 3 });
    expect(kindsShown('bogus')).toEqual(ALL);
  });

  test('pinned cards leave their group, keep pin order, ignore filters, and vanish with their run', () => {
    const pins = ['image:samples%2Frgb:b', 'scalar:accuracy', 'image:samples%2Frgb:zzz'];
    const g = buildGrid(tags(), { filter: compilePattern('weights'), kinds: kindsShown('histogram'), pinned: pins });
    expect(ids(g.pinned)).toEqual(['image:samples%2Frgb:b', 'scalar:accuracy']);
    expect(g.groups.map((x) => x.name)).toEqual(['weights']);
    expect(g.counts).toEqual({ scalar: 1, image: 1, histogram: 2 });
    const all = buildGrid(tags(), { filter: null, kinds: ALL, pinned: pins });
    expect(all.groups.flatMap((x) => ids(x.cards))).not.toContain('scalar:accuracy');
    expect(all.groups.flatMap((x) => ids(x.cards))).toContain('image:samples%2Frgb:a');
  });

  test('togglePin appends and removes', () => {
    expect(togglePin([], 'x')).toEqual(['x']);
    expect(togglePin(['x', 'y'], 'x')).toEqual(['y']);
    expect(togglePin(['y'], 'x')).toEqual(['y', 'x']);
  });
});

describe('per-card settings', () => {
  test('serialize and parse back, per kind', () => {
    const s = { smoothing: 0.3, logY: true, xAxis: 'wall' as const, ignoreOutliers: false };
    expect(parseCardSettings('scalar', serializeCardSettings('scalar', s))).toEqual(s);
    const i = { brightness: 1.5, contrast: 0.5, actual: true };
    expect(parseCardSettings('image', serializeCardSettings('image', i))).toEqual(i);
    expect(parseCardSettings('histogram', serializeCardSettings('histogram', { mode: 'overlay' }))).toEqual({ mode: 'overlay' });
    expect(serializeCardSettings('scalar', {})).toBe('');
  });

  test('values from the URL are validated: clamped, enums checked, foreign fields dropped', () => {
    expect(parseCardSettings('scalar', 's=7&logy=yes&x=bogus&m=overlay&b=2')).toEqual({ smoothing: 0.999 });
    expect(parseCardSettings('scalar', 's=abc&s=0.2&logy=0')).toEqual({ logY: false });
    expect(parseCardSettings('image', 'b=-3&c=Infinity&actual=1')).toEqual({ brightness: 0, actual: true });
    expect(parseCardSettings('histogram', 'm=<script>')).toEqual({});
  });

  test('URL values round-trip through read/write; cleared cards drop out', () => {
    const scalar = cardId({ kind: 'scalar', tag: 'loss/train', run: null });
    const image = cardId({ kind: 'image', tag: 'samples/rgb', run: 'a|b' });
    let values = writeCardSettings(new Map(), scalar, { logY: true });
    values = writeCardSettings(readCardSettings(values), image, { brightness: 2 });
    const back = readCardSettings(values);
    expect(back.get(scalar)).toEqual({ logY: true });
    expect(back.get(image)).toEqual({ brightness: 2 });
    values = writeCardSettings(back, scalar, {});
    expect(readCardSettings(values).has(scalar)).toBe(false);
    expect(values).toHaveLength(1);
    // Garbage in the URL is ignored rather than breaking the page.
    expect(readCardSettings(['nonsense', 'text:a|x=1', `${scalar}|x=bogus`, `${image}|b=1`]).size).toBe(1);
  });
});
