// Event files that live behind a URL (s3://...): what the loader needs from them besides the
// listing. A poll lists each remote source once (discovery's lister) and remembers each object's
// size and identity here, so deciding "unchanged" costs no request; only new bytes are fetched,
// with ranged reads from the stored offset.
import { registerSourceLister } from '../discovery/index.ts';

/** What a listing said about one object: size, last-modified time, and a 32-bit identity
 *  fingerprint (of the ETag: it changes whenever the object is rewritten). */
export interface RemoteStat {
  size: number;
  mtimeMs: number;
  ino: number;
  etag: string;
}

export interface RemoteFiles {
  /** The object's state in the latest listing (no request); null when it was not listed. */
  stat(url: string): RemoteStat | null;
  /** `length` bytes from `from` of the object as listed (a ranged GET that fails if it changed since). */
  read(url: string, from: number, length: number): Promise<Uint8Array>;
}

const remotes = new Map<string, () => Promise<RemoteFiles>>();

/** The remote file access for a URL, or null for a local path. */
export async function remoteFilesFor(path: string): Promise<RemoteFiles | null> {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(path);
  if (!m) return null;
  const load = remotes.get(m[1]!.toLowerCase());
  if (!load) throw new Error(`${path}: ${m[1]}:// event files cannot be read`);
  return load();
}

// s3:// sources: loaded on first use, so local-only commands never load the AWS SDK.
registerSourceLister('s3', async (source) => (await import('./s3.ts')).s3Files().list(source));
remotes.set('s3', async () => (await import('./s3.ts')).s3Files());
