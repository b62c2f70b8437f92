// A real S3-compatible server for tests and benchmarks: s3rver (npm), run in this process on a
// loopback port with a temporary directory, and the AWS environment that points the official SDK
// at it (AWS_ENDPOINT_URL, AWS_REGION, credentials s3rver accepts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { s3Config } from '../../lib/sources/s3.ts';

export interface TestS3 {
  endpoint: string;
  client: S3Client;
  createBucket(name: string): Promise<void>;
  put(bucket: string, key: string, body: Uint8Array): Promise<void>;
  stop(): Promise<void>;
}

/** s3rver in a child process, as a real object store is a separate service (benchmarks use this,
 *  so the server's CPU is not charged to the event loop of the process being measured). */
async function startInChild(dir: string): Promise<{ port: number; close(): Promise<void> }> {
  const script = `import S3rver from 's3rver';
const s = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: process.env.S3RVER_DIR });
const a = await s.run();
console.log(JSON.stringify({ port: a.port }));`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    cwd: resolve(import.meta.dirname, '../..'),
    env: { ...process.env, S3RVER_DIR: dir },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((res, rej) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /\{"port":(\d+)\}/.exec(out);
      if (m) res(Number(m[1]));
    });
    child.once('exit', (code) => rej(new Error(`s3rver exited (${code}) before listening`)));
  });
  return {
    port,
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export async function startTestS3(opts: { childProcess?: boolean } = {}): Promise<TestS3> {
  const dir = mkdtempSync(join(tmpdir(), 'board-s3-'));
  let server: { close(): Promise<unknown> };
  let port: number;
  if (opts.childProcess) {
    const c = await startInChild(dir);
    server = c;
    port = c.port;
  } else {
    const s = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir });
    port = (await s.run()).port;
    server = s;
  }
  const endpoint = `http://127.0.0.1:${port}`;
  // The SDK's standard configuration, as a user would set it for MinIO or any S3-compatible server.
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', // as lib/sources/s3.ts sets it
  });
  const client = new S3Client(s3Config());
  return {
    endpoint,
    client,
    async createBucket(name) {
      await client.send(new CreateBucketCommand({ Bucket: name }));
    },
    async put(bucket, key, body) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    },
    async stop() {
      client.destroy();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
