// Loads proto/*.proto with protobufjs and returns the JSON descriptor (used by proto/generate.ts and
// by the test that checks schema.generated.ts is current). Not used at run time.
import protobuf from 'protobufjs';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export function schemaJsonFromProtoFiles(protoDir: string): Record<string, unknown> {
  const files = readdirSync(protoDir)
    .filter((f) => f.endsWith('.proto'))
    .sort()
    .map((f) => join(protoDir, f));
  const root = new protobuf.Root();
  root.loadSync(files);
  root.resolveAll();
  return root.toJSON({ keepComments: false }) as Record<string, unknown>;
}
