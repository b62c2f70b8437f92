// Issue 10 (low): error responses never show absolute paths (they tell a caller the user's name
// and where their files live); the full error still goes to the server's console.
import { expect, test, vi } from 'vitest';
import { redactPaths, serverError } from '../../lib/server/api.ts';

test('absolute paths in a 500 become their last part', async () => {
  const err = vi.spyOn(console, 'error').mockImplementation(() => {});
  try {
    const res = serverError(
      new Error(
        "ENOENT: no such file or directory, rename '/home/alice/logs/run1/events.out' -> '/home/alice/.local/share/Trash/files/run1'",
      ),
    );
    expect(res.status).toBe(500);
    const body = (await res.json()) as { error: string };
    expect(body.error).toBe("ENOENT: no such file or directory, rename '…/events.out' -> '…/run1'");
    expect(body.error).not.toMatch(/alice|home/);
    expect(err).toHaveBeenCalled();
  } finally {
    err.mockRestore();
  }
  expect(redactPaths('SQLITE_CANTOPEN: unable to open /root/.cache/board/ab12.sqlite')).toBe(
    'SQLITE_CANTOPEN: unable to open …/ab12.sqlite',
  );
  expect(redactPaths('C:\\Users\\bob\\logs\\x failed')).toBe('…/x failed');
  expect(redactPaths('file:///tmp/a/b.ts:3:1')).toBe('…/b.ts:3:1');
  expect(redactPaths('no run named loss/train')).toBe('no run named loss/train');
});
