// Names from event files (runs, tags) printed to a terminal. A tag may hold any bytes: ESC
// sequences could clear the screen, retitle the window or fake output lines, and bidi overrides
// reorder what is shown. Such characters are printed as visible escapes instead.

// C0 controls, DEL, C1 controls, bidi embeddings/overrides/isolates, line/paragraph separators.
// eslint-disable-next-line no-control-regex -- matching control characters is this regex's job
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** `s` with every control or bidi character as \xNN or \uNNNN (JSON output needs none of this). */
export function terminalSafe(s: string): string {
  return s.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
