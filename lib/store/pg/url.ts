// PostgreSQL store URLs, without the driver: `board export` and the SQLite ingest path only need to
// recognise a URL, and importing `pg` costs ~0.1 CPU-seconds of start-up (issue 16).

export function isPgUrl(s: string | null | undefined): boolean {
  return typeof s === 'string' && /^postgres(ql)?:\/\//.test(s);
}

/** `postgres://user:secret@host/db` with the password hidden, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}
