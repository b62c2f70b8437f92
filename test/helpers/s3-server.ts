// A real S3-compatible server for tests and benchmarks: s3rver (npm), run in this process on a
// loopback port with a temporary directory, and the AWS environment that points the official SDK
// at it (AWS_ENDPOINT_URL, AWS_REGION, credentials s3rver accepts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

export async function startTestS3(): Promise<TestS3> {
  const dir = mkdtempSync(join(tmpdir(), 'board-s3-'));
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir });
  const addr = await server.run();
  const endpoint = `http://127.0.0.1:${addr.port}`;
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
