import { expect, test } from 'vitest';
import { renderMarkdown } from '../../lib/server/markdown.ts';

test('markdown tables render as tables', () => {
  const html = renderMarkdown('| a | b |\n|---|---|\n| 1 | 2 |');
  expect(html).toContain('<table>');
  expect(html).toContain('<td>1</td>');
});

test('script, event handlers, javascript: URLs and remote images are removed', () => {
  const html = renderMarkdown(
    [
      '<script>alert(1)</script>',
      '<img src=x onerror="alert(2)">',
      '[click](javascript:alert(3)) <a href="JaVaScRiPt:alert(4)">x</a>',
      '<div onclick="alert(5)" style="x">d</div>',
      '<iframe src="https://evil"></iframe>',
      '<svg onload=alert(6)>',
    ].join('\n\n'),
  );
  expect(html).not.toMatch(/<script|onerror|onclick|onload|javascript:|<img|<iframe|<svg|style=/i);
});

test('safe links survive with rel=noopener', () => {
  const html = renderMarkdown('[docs](https://example.com/x)');
  expect(html).toContain('href="https://example.com/x"');
  expect(html).toContain('rel="noopener noreferrer nofollow"');
});
