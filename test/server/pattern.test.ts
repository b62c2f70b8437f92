// Finding 1 (issue 10): user patterns are matched by RE2 in linear time, never by a backtracking
// RegExp; the same compile function serves the export route, the store, `board export` and the UI.
import { describe, expect, test } from 'vitest';
import { compilePattern, MAX_PATTERN_LENGTH, MAX_PATTERN_PROGRAM, PatternError, patternError } from '../../lib/pattern.ts';
import { compileFilter } from '../../app/ui/name-filter.ts';

describe('compilePattern', () => {
  test('the catastrophic-backtracking pattern of the report returns at once', () => {
    // With RegExp, /^((.+)+)+!/ on 19 characters runs for minutes; RE2 is linear in the name.
    const p = compilePattern('^((.+)+)+!');
    const t0 = performance.now();
    expect(p.test('a'.repeat(19))).toBe(false);
    expect(p.test('a'.repeat(100_000))).toBe(false);
    expect(p.test('aaa!')).toBe(true);
    expect(performance.now() - t0).toBeLessThan(500);
  });

  test('more exponential-for-backtrackers patterns stay fast on long names', () => {
    const hostile = ['(a+)+$', '(a|aa)+$', '(a|a?)+$', '(.*a){12}$', '(x+x+)+y', '((((a*)*)*)*)*b', '^(\\w+\\s?)*$'];
    const t0 = performance.now();
    for (const src of hostile) {
      const p = compilePattern(src);
      for (const n of [30, 1000, 4096]) p.test('a'.repeat(n) + '!');
    }
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  test('RE2 syntax: anchors, classes, alternation, Unicode classes, named groups; substring match like RegExp.test', () => {
    expect(compilePattern('^train/').test('train/lr=0.1')).toBe(true);
    expect(compilePattern('^train/').test('eval/train/')).toBe(false);
    expect(compilePattern('loss|acc').test('val/accuracy')).toBe(true);
    expect(compilePattern('run_\\d+$').test('sweep/run_12')).toBe(true);
    expect(compilePattern('\\p{Greek}').test('λ=0.1')).toBe(true);
    expect(compilePattern('(?P<lr>lr=[0-9.]+)').test('lr=0.01')).toBe(true);
    expect(compilePattern('LOSS').test('loss')).toBe(false);
    expect(compilePattern('LOSS', { ignoreCase: true }).test('train/loss')).toBe(true);
  });

  test('backreferences and lookaround are not RE2: a clear error, not a silent mismatch', () => {
    expect(() => compilePattern('(a)\\1')).toThrow(PatternError);
    expect(patternError('(a)\\1')).toMatch(/not a valid RE2 pattern: invalid escape sequence/);
    expect(patternError('foo(?=bar)')).toMatch(/not a valid RE2 pattern: .*Perl syntax/);
    expect(patternError('[unclosed')).toMatch(/not a valid RE2 pattern/);
    expect(patternError('ok')).toBeNull();
  });

  test('length and program size are bounded, with the limit in the message', () => {
    expect(patternError('a'.repeat(MAX_PATTERN_LENGTH))).toBeNull();
    expect(patternError('a'.repeat(MAX_PATTERN_LENGTH + 1))).toBe(
      `pattern is ${MAX_PATTERN_LENGTH + 1} characters long; the limit is ${MAX_PATTERN_LENGTH}`,
    );
    // 4,000 instructions: linear, but ~10 ms per 1 KiB name; refused.
    expect(patternError('.{0,1000}.{0,1000}x')).toMatch(
      new RegExp(`compiles to \\d+ RE2 instructions; the limit is ${MAX_PATTERN_PROGRAM}`),
    );
    expect(patternError('(a{1000}){1000}')).toMatch(/invalid repeat count/);
    // A pattern near the cap still matches a long name quickly.
    const p = compilePattern('.{0,300}x');
    const t0 = performance.now();
    for (let i = 0; i < 200; i++) p.test(`${'a'.repeat(4000)}${i}`);
    expect(performance.now() - t0).toBeLessThan(3000);
  });
});

describe('UI filters use the same engine', () => {
  test('compileFilter: case-insensitive RE2, errors as text, RE2-only syntax refused', () => {
    expect(compileFilter('').re).toBeNull();
    expect(compileFilter('TRAIN').re!.test('train/a')).toBe(true);
    expect(compileFilter('(a)\\1').error).toMatch(/not a valid RE2 pattern/);
    const { re } = compileFilter('^((.+)+)+!');
    const t0 = performance.now();
    expect(re!.test('a'.repeat(50))).toBe(false);
    expect(performance.now() - t0).toBeLessThan(200);
  });
});
