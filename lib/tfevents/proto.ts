// protobufjs for the rare messages (hparams payloads, graphs, run metadata): built lazily from the
// JSON descriptor generated from proto/*.proto. The hot path (Event -> Summary -> Value) is in
// event-decode.ts and never touches this module.
// protobufjs itself is required on first use: most processes (an export of scalars) never need
// it, and loading it costs a noticeable part of `board export`'s start-up.
import { createRequire } from 'node:module';
import type protobuf from 'protobufjs';
import { SCHEMA_JSON } from './schema.generated.ts';

let root: protobuf.Root | null = null;

function schemaRoot(): protobuf.Root {
  if (!root) {
    const pb = createRequire(import.meta.url)('protobufjs') as typeof protobuf;
    root = pb.Root.fromJSON(SCHEMA_JSON as unknown as protobuf.INamespace);
  }
  return root;
}

/** A message type by its full name, e.g. 'tensorboard.GraphDef', 'tensorboard.hparams.HParamsPluginData'. */
export function messageType(fullName: string): protobuf.Type {
  return schemaRoot().lookupType(fullName);
}

/** Options for toObject: plain JSON (int64 as numbers, enums as names, bytes as base64 strings). */
export const TO_JSON: protobuf.IConversionOptions = { longs: Number, enums: String, bytes: String, defaults: false, oneofs: true };

/** Decodes `bytes` as `fullName` into plain JSON (field names camelCase). */
export function decodeToJson(fullName: string, bytes: Uint8Array): Record<string, unknown> {
  const type = messageType(fullName);
  return type.toObject(type.decode(bytes), TO_JSON) as Record<string, unknown>;
}

/** Encodes a plain object (camelCase field names, enums by name or number) as `fullName`. */
export function encodeFromJson(fullName: string, obj: Record<string, unknown>): Uint8Array {
  const type = messageType(fullName);
  return type.encode(type.fromObject(obj)).finish();
}
