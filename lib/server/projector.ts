// The Embedding Projector's data, read from the log directory (not the store: projector folders
// hold TSV and PNG files beside the event files, written by PyTorch's add_embedding or
// TensorFlow's projector.visualize_embeddings). Every path a config names is resolved inside the
// log directory; anything reaching outside it is refused.
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { parseMetadataTsv, parseTensorsTsv, readProjectorConfig, type EmbeddingInfo } from '../tfevents/projector.ts';
import { isUrl } from '../discovery/spec.ts';

const CONFIG = 'projector_config.pbtxt';
/** Folders visited when looking for configs (a log directory of a big sweep has thousands). */
const MAX_DIRS = 20_000;
const MAX_DEPTH = 8;
/** Largest tensors.tsv read (a 10,000 x 784 float matrix is ~80 MB of text; keep well under). */
const MAX_TSV_BYTES = 64 * 1024 * 1024;

export interface ProjectorEmbedding {
  /** Folder of the config, relative to the log directory ('' for the log directory itself). */
  run: string;
  tensorName: string;
  shape: number[] | null;
  hasMetadata: boolean;
  sprite: { singleImageDim: number[] } | null;
  /** Why this embedding cannot be shown (e.g. a checkpoint tensor without a TSV). */
  problem: string | null;
}

export class ProjectorError extends Error {}

/**
 * The log directory when it is a local folder. A board serving a database without a log
 * directory (`serve --db`), an s3:// log directory or a --logdir_spec has none: walking '' would
 * walk the server's working directory.
 */
function localLogdir(logdir: string): string | null {
  if (!logdir || isUrl(logdir)) return null;
  try {
    return statSync(logdir).isDirectory() ? logdir : null;
  } catch {
    return null;
  }
}

/** Reads a file named by a config, refusing files too large to hold in memory. */
function readBounded(file: string, shownAs: string): Buffer {
  if (statSync(file).size > MAX_TSV_BYTES) throw new ProjectorError(`${shownAs} is over ${MAX_TSV_BYTES >> 20} MiB`);
  return readFileSync(file);
}

/** Every embedding of every projector_config.pbtxt under the log directory. */
export function listProjectorEmbeddings(logdirOption: string): ProjectorEmbedding[] {
  const out: ProjectorEmbedding[] = [];
  const logdir = localLogdir(logdirOption);
  if (logdir === null) return out;
  let visited = 0;
  const walk = (dir: string, depth: number) => {
    if (visited++ > MAX_DIRS || depth > MAX_DEPTH) return;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    if (entries.some((e) => e.isFile() && e.name === CONFIG)) {
      const run = relative(logdir, dir).split(sep).join('/');
      try {
        for (const e of readProjectorConfig(readFileSync(join(dir, CONFIG), 'utf8'), join(run, CONFIG)))
          out.push(describe(logdir, dir, run, e));
      } catch (err) {
        out.push({ run, tensorName: '', shape: null, hasMetadata: false, sprite: null, problem: (err as Error).message });
      }
    }
    for (const e of entries) if (e.isDirectory() && !e.name.startsWith('.')) walk(join(dir, e.name), depth + 1);
  };
  walk(logdir, 0);
  return out.sort((a, b) => (a.run < b.run ? -1 : a.run > b.run ? 1 : 0));
}

function describe(logdir: string, dir: string, run: string, e: EmbeddingInfo): ProjectorEmbedding {
  const base: ProjectorEmbedding = {
    run,
    tensorName: e.tensorName,
    shape: e.tensorShape ?? null,
    hasMetadata: !!e.metadataPath,
    sprite: e.sprite ? { singleImageDim: e.sprite.singleImageDim } : null,
    problem: null,
  };
  if (!e.tensorPath) return { ...base, problem: 'no tensor_path: tensors stored in a checkpoint are not supported, only TSV files' };
  try {
    inside(logdir, dir, e.tensorPath);
  } catch (err) {
    return { ...base, problem: (err as Error).message };
  }
  return base;
}

/** Resolves a config path (relative to the config's folder) and checks it stays in the log directory. */
function inside(logdir: string, dir: string, path: string): string {
  const full = isAbsolute(path) ? path : resolve(dir, path);
  if (!existsSync(full)) throw new ProjectorError(`file not found: ${path}`);
  const real = realpathSync(full),
    root = realpathSync(logdir);
  if (real !== root && !real.startsWith(root + sep)) throw new ProjectorError(`refusing ${path}: it is outside the log directory`);
  return real;
}

function configOf(logdirOption: string, run: string, tensorName: string): { dir: string; info: EmbeddingInfo } {
  const logdir = localLogdir(logdirOption);
  if (logdir === null) throw new ProjectorError('projector folders are read from a local log directory, and this board has none');
  const dir = resolve(logdir, run);
  const root = resolve(logdir);
  if (dir !== root && !dir.startsWith(root + sep)) throw new ProjectorError('run is outside the log directory');
  const file = join(dir, CONFIG);
  if (!existsSync(file)) throw new ProjectorError(`no ${CONFIG} in run '${run}'`);
  const info = readProjectorConfig(readFileSync(file, 'utf8'), join(run, CONFIG)).find((e) => e.tensorName === tensorName);
  if (!info) throw new ProjectorError(`no embedding '${tensorName}' in ${join(run, CONFIG)}`);
  return { dir, info };
}

export interface EmbeddingData {
  shape: [number, number];
  /** Row-major float32 values, base64 (4 bytes each, little-endian). */
  values: string;
  metadata: { columns: string[]; rows: string[][] } | null;
  sprite: { singleImageDim: number[] } | null;
}

/** The tensor and labels of one embedding. */
export function loadEmbedding(logdir: string, run: string, tensorName: string): EmbeddingData {
  const { dir, info } = configOf(logdir, run, tensorName);
  if (!info.tensorPath) throw new ProjectorError(`embedding '${tensorName}' has no tensor_path (checkpoint tensors are not supported)`);
  const t = parseTensorsTsv(readBounded(inside(logdir, dir, info.tensorPath), info.tensorPath).toString('utf8'), info.tensorPath);
  let metadata: EmbeddingData['metadata'] = null;
  if (info.metadataPath) {
    metadata = parseMetadataTsv(readBounded(inside(logdir, dir, info.metadataPath), info.metadataPath).toString('utf8'));
    if (metadata.rows.length !== t.shape[0])
      throw new ProjectorError(`${info.metadataPath} has ${metadata.rows.length} rows but ${info.tensorPath} has ${t.shape[0]} points`);
  }
  const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  return {
    shape: t.shape,
    values: Buffer.from(bytes).toString('base64'),
    metadata,
    sprite: info.sprite ? { singleImageDim: info.sprite.singleImageDim } : null,
  };
}

/** The sprite image bytes of one embedding. */
export function loadSprite(logdir: string, run: string, tensorName: string): { bytes: Uint8Array; contentType: string } {
  const { dir, info } = configOf(logdir, run, tensorName);
  if (!info.sprite?.imagePath) throw new ProjectorError(`embedding '${tensorName}' has no sprite`);
  const file = inside(logdir, dir, info.sprite.imagePath);
  const bytes = readBounded(file, info.sprite.imagePath);
  return { bytes, contentType: /\.jpe?g$/i.test(file) ? 'image/jpeg' : 'image/png' };
}
