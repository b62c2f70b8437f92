// s3://BUCKET/PREFIX log directories, through the official AWS SDK v3 with its standard
// configuration: the default credential chain, AWS_REGION, and AWS_ENDPOINT_URL (MinIO, R2, GCS,
// any S3-compatible server; path-style addressing whenever an endpoint is set).
//
// A poll costs one ListObjectsV2 request per 1,000 objects and nothing else when nothing changed:
// the listing's size and ETag are compared with what the store holds (run-loader.ts). Changed
// objects are read from the stored offset with a ranged GET pinned to the listed ETag (If-Match),
// so bytes of a newer version are never mixed with the offsets of an older one.
import { GetObjectCommand, ListObjectsV2Command, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { crc32 } from '@node-rs/crc32';
import { entriesFromKeys, type EventFileEntry, type LogdirSource } from '../discovery/index.ts';
import type { RemoteFiles, RemoteStat } from './remote.ts';

export interface S3Location {
  bucket: string;
  prefix: string;
}

/** s3://bucket/some/prefix -> { bucket, prefix: 'some/prefix/' } (prefix '' for the bucket root). */
export function parseS3Url(url: string): S3Location {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/i.exec(url);
  if (!m || !m[1]) throw new Error(`${url}: expected s3://BUCKET/PREFIX`);
  let prefix = m[2]!;
  if (prefix && !prefix.endsWith('/')) prefix += '/';
  return { bucket: m[1], prefix };
}

/** Requests made, by kind (benchmarks and tests count them). */
export const s3Requests = { list: 0, get: 0 };

let shared: S3Files | null = null;
export function s3Files(): S3Files {
  // The SDK warns on every start under Node 20 that its releases after January 2027 will need Node
  // 22. Board pins its SDK version (package-lock) and supports Node 20, so the notice is noise on
  // every command's stderr; a user who wants it back sets the variable to 'false'.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  shared ??= new S3Files(new S3Client(s3Config()));
  return shared;
}

/** Client configuration from the environment, as the AWS CLI reads it. */
export function s3Config(): S3ClientConfig {
  const endpoint = process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
  const cfg: S3ClientConfig = {
    // Only checksums S3 requires: S3-compatible servers do not all speak the newer ones.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
  // An endpoint without a region (MinIO and friends ignore it) still needs one for signing.
  if (!process.env.AWS_REGION && !process.env.AWS_DEFAULT_REGION && endpoint) cfg.region = 'us-east-1';
  if (endpoint) {
    cfg.endpoint = endpoint;
    cfg.forcePathStyle = true;
  }
  return cfg;
}

export class S3Files implements RemoteFiles {
  private stats = new Map<string, RemoteStat>();
  constructor(private readonly client: S3Client) {}

  /** Every event file under the source (paginated ListObjectsV2), remembering size and ETag. */
  async list(source: LogdirSource): Promise<EventFileEntry[]> {
    const { bucket, prefix } = parseS3Url(source.path);
    const keys: Array<{ key: string; path: string; size: number }> = [];
    let token: string | undefined;
    do {
      s3Requests.list++;
      let res;
      try {
        res = await this.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
      } catch (err) {
        throw new Error(`${source.path}: listing failed: ${(err as Error).name}: ${(err as Error).message}`, { cause: err });
      }
      for (const o of res.Contents ?? []) {
        if (!o.Key || o.Key.endsWith('/')) continue;
        const path = `s3://${bucket}/${o.Key}`;
        const etag = o.ETag ?? '';
        this.stats.set(path, { size: o.Size ?? 0, mtimeMs: o.LastModified?.getTime() ?? 0, ino: crc32(etag), etag });
        keys.push({ key: o.Key.slice(prefix.length), path, size: o.Size ?? 0 });
      }
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
    return entriesFromKeys(source, keys);
  }

  stat(url: string): RemoteStat | null {
    return this.stats.get(url) ?? null;
  }

  async read(url: string, from: number, length: number): Promise<Uint8Array> {
    if (length <= 0) return new Uint8Array(0);
    const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(url);
    if (!m) throw new Error(`${url}: not an s3:// object URL`);
    const st = this.stats.get(url);
    s3Requests.get++;
    const res = await this.client.send(
      new GetObjectCommand({
        Bucket: m[1],
        Key: m[2],
        Range: `bytes=${from}-${from + length - 1}`,
        ...(st?.etag ? { IfMatch: st.etag } : {}),
      }),
    );
    return res.Body!.transformToByteArray();
  }
}
