// The Embedding Projector's data, read from the log directory (not the store: projector folders
// hold TSV and PNG files beside the event files, written by PyTorch's add_embedding, or a
// TensorFlow checkpoint named by TensorFlow's projector.visualize_embeddings). Every path a config
// names is resolved inside its log directory; anything reaching outside it is refused. With
// --logdir_spec every local source is searched and runs are named as the rest of Board names them.
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { parseMetadataTsv, parseTensorsTsv, readProjectorConfigFile, type EmbeddingInfo } from '../tfevents/projector.ts';
import {
  CheckpointError,
  latestCheckpoint,
  readCheckpointIndex,
  readCheckpointTensorF32,
  type CheckpointIndex,
} from '../tfevents/tf-checkpoint.ts';
import { DT } from '../tfevents/dtypes.ts';
import { isUrl } from '../discovery/spec.ts';

const CONFIG = 'projector_config.pbtxt';
/** TensorFlow's checkpoint state file (what tf.train.latest_checkpoint reads). */
const CHECKPOINT_STATE = 'checkpoint';
/** Folders visited when looking for configs (a log directory of a big sweep has thousands). */
const MAX_DIRS = 20_000;
const MAX_DEPTH = 8;
/** Largest tensors.tsv read (a 10,000 x 784 float matrix is ~80 MB of text; keep well under). */
const MAX_TSV_BYTES = 64 * 1024 * 1024;
/** Largest checkpoint tensor read, in bytes (16M float32 values). */
const MAX_CHECKPOINT_TENSOR_BYTES = 64 * 1024 * 1024;

/** Where embeddings are looked for: a log directory, named as in --logdir_spec (null: no prefix). */
export interface ProjectorRoot {
  name: string | null;
  path: string;
}

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

/** The roots of a board: its sources, or its --logdir alone. */
export function projectorRoots(store: { logdir: string; sources?: ProjectorRoot[] }): ProjectorRoot[] {
  return store.sources ?? (store.logdir ? [{ name: null, path: store.logdir }] : []);
}

/**
 * The local folders among the board's sources. A board serving a database without a log directory
 * (`serve --db`) or an s3:// log directory has none: walking '' would walk the working directory.
 */
function localRoots(sources: ProjectorRoot[]): ProjectorRoot[] {
  return sources.filter((s) => {
    if (!s.path || isUrl(s.path)) return false;
    try {
      return statSync(s.path).isDirectory();
    } catch {
      return false;
    }
  });
}

/** Run name of folder `rel` of a root: the folder's path ('' for the root), prefixed by the root's name. */
function runOf(root: ProjectorRoot, rel: string): string {
  if (root.name === null) return rel;
  return rel === '' ? root.name : `${root.name}/${rel}`;
}

/** Reads a file named by a config, refusing files too large to hold in memory. */
function readBounded(file: string, shownAs: string): Buffer {
  if (statSync(file).size > MAX_TSV_BYTES) throw new ProjectorError(`${shownAs} is over ${MAX_TSV_BYTES >> 20} MiB`);
  return readFileSync(file);
}

/** What a projector folder offers: its config's embeddings and the checkpoint they may read. */
interface FolderConfig {
  embeddings: EmbeddingInfo[];
  /** Checkpoint prefix (model_checkpoint_path, else the folder's latest checkpoint), or null. */
  checkpoint: string | null;
  /** Why the checkpoint cannot be used (outside the log directory, unreadable). */
  checkpointProblem: string | null;
  index: CheckpointIndex | null;
}

/**
 * A folder's embeddings. As TensorBoard does, a folder with a checkpoint but no config (or a config
 * without embeddings) offers every 2-D numeric tensor of the checkpoint.
 */
function folderConfig(logdir: string, dir: string, run: string): FolderConfig {
  const file = join(dir, CONFIG);
  const cfg = existsSync(file) ? readProjectorConfigFile(readFileSync(file, 'utf8'), join(run, CONFIG)) : { embeddings: [] };
  const out: FolderConfig = { embeddings: cfg.embeddings, checkpoint: null, checkpointProblem: null, index: null };
  try {
    out.checkpoint = cfg.modelCheckpointPath ? resolve(dir, cfg.modelCheckpointPath) : latestCheckpoint(dir);
    if (out.checkpoint) {
      inside(logdir, dir, `${out.checkpoint}.index`);
      out.index = readCheckpointIndex(out.checkpoint);
    }
  } catch (err) {
    if (!(err instanceof ProjectorError || err instanceof CheckpointError)) throw err;
    out.checkpointProblem = `checkpoint ${cfg.modelCheckpointPath ?? ''}: ${err.message}`;
  }
  if (out.embeddings.length === 0 && out.index)
    for (const t of out.index.tensors.values())
      if (t.shape.length === 2 && !t.sliced && isNumeric(t.dtype)) out.embeddings.push({ tensorName: t.name, tensorShape: t.shape });
  return out;
}

function isNumeric(dtype: number): boolean {
  return dtype === DT.FLOAT || dtype === DT.DOUBLE || dtype === DT.HALF || dtype === DT.BFLOAT16;
}

/** Every embedding of every projector folder (a config, or a TensorFlow checkpoint) under the board's log directories. */
export function listProjectorEmbeddings(sources: ProjectorRoot[]): ProjectorEmbedding[] {
  const out: ProjectorEmbedding[] = [];
  let visited = 0;
  for (const root of localRoots(sources)) {
    const walk = (dir: string, depth: number) => {
      if (visited++ > MAX_DIRS || depth > MAX_DEPTH) return;
      let entries;
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      if (entries.some((e) => e.isFile() && (e.name === CONFIG || e.name === CHECKPOINT_STATE))) {
        const run = runOf(root, relative(root.path, dir).split(sep).join('/'));
        try {
          const folder = folderConfig(root.path, dir, run);
          for (const e of folder.embeddings) out.push(describe(root.path, dir, run, e, folder));
        } catch (err) {
          out.push({ run, tensorName: '', shape: null, hasMetadata: false, sprite: null, problem: (err as Error).message });
        }
      }
      for (const e of entries) if (e.isDirectory() && !e.name.startsWith('.')) walk(join(dir, e.name), depth + 1);
    };
    walk(root.path, 0);
  }
  return out.sort((a, b) => (a.run < b.run ? -1 : a.run > b.run ? 1 : 0));
}

function describe(logdir: string, dir: string, run: string, e: EmbeddingInfo, folder: FolderConfig): ProjectorEmbedding {
  const base: ProjectorEmbedding = {
    run,
    tensorName: e.tensorName,
    shape: e.tensorShape ?? null,
    hasMetadata: !!e.metadataPath,
    sprite: e.sprite ? { singleImageDim: e.sprite.singleImageDim } : null,
    problem: null,
  };
  if (!e.tensorPath) {
    if (!folder.index)
      return { ...base, problem: folder.checkpointProblem ?? 'no tensor_path, and no checkpoint in this folder to read the tensor from' };
    const t = folder.index.tensors.get(e.tensorName);
    if (!t) return { ...base, problem: `no tensor '${e.tensorName}' in checkpoint ${relative(logdir, folder.checkpoint!)}` };
    if (t.shape.length !== 2)
      return { ...base, shape: t.shape, problem: `tensor '${e.tensorName}' has shape [${t.shape.join(', ')}]; an embedding is 2-D` };
    return { ...base, shape: t.shape };
  }
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

/** The folder of a projector run: its root (log directory) and path. */
function folderOf(sources: ProjectorRoot[], run: string): { logdir: string; dir: string } {
  const roots = localRoots(sources);
  if (roots.length === 0) throw new ProjectorError('projector folders are read from a local log directory, and this board has none');
  for (const root of roots) {
    let rel: string;
    if (root.name === null) rel = run;
    else if (run === root.name) rel = '';
    else if (run.startsWith(`${root.name}/`)) rel = run.slice(root.name.length + 1);
    else continue;
    const dir = resolve(root.path, rel);
    const top = resolve(root.path);
    if (dir !== top && !dir.startsWith(top + sep)) throw new ProjectorError('run is outside the log directory');
    if (existsSync(join(dir, CONFIG)) || existsSync(join(dir, CHECKPOINT_STATE))) return { logdir: root.path, dir };
  }
  throw new ProjectorError(`no ${CONFIG} or checkpoint in run '${run}'`);
}

function configOf(
  sources: ProjectorRoot[],
  run: string,
  tensorName: string,
): { logdir: string; dir: string; info: EmbeddingInfo; folder: FolderConfig } {
  const { logdir, dir } = folderOf(sources, run);
  const folder = folderConfig(logdir, dir, run);
  const info = folder.embeddings.find((e) => e.tensorName === tensorName);
  if (!info) throw new ProjectorError(`no embedding '${tensorName}' in run '${run}'`);
  return { logdir, dir, info, folder };
}

export interface EmbeddingData {
  shape: [number, number];
  /** Row-major float32 values, base64 (4 bytes each, little-endian). */
  values: string;
  metadata: { columns: string[]; rows: string[][] } | null;
  sprite: { singleImageDim: number[] } | null;
}

/** The tensor and labels of one embedding. */
export function loadEmbedding(sources: ProjectorRoot[], run: string, tensorName: string): EmbeddingData {
  const { logdir, dir, info, folder } = configOf(sources, run, tensorName);
  const t = info.tensorPath
    ? parseTensorsTsv(readBounded(inside(logdir, dir, info.tensorPath), info.tensorPath).toString('utf8'), info.tensorPath)
    : checkpointTensor(folder, tensorName);
  const source = info.tensorPath ?? `tensor '${tensorName}'`;
  let metadata: EmbeddingData['metadata'] = null;
  if (info.metadataPath) {
    metadata = parseMetadataTsv(readBounded(inside(logdir, dir, info.metadataPath), info.metadataPath).toString('utf8'));
    if (metadata.rows.length !== t.shape[0])
      throw new ProjectorError(`${info.metadataPath} has ${metadata.rows.length} rows but ${source} has ${t.shape[0]} points`);
  }
  const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  return {
    shape: t.shape,
    values: Buffer.from(bytes).toString('base64'),
    metadata,
    sprite: info.sprite ? { singleImageDim: info.sprite.singleImageDim } : null,
  };
}

/** A 2-D embedding tensor of the folder's checkpoint. */
function checkpointTensor(folder: FolderConfig, tensorName: string): { data: Float32Array; shape: [number, number] } {
  if (!folder.index)
    throw new ProjectorError(folder.checkpointProblem ?? `embedding '${tensorName}' has no tensor_path and its folder has no checkpoint`);
  try {
    const t = readCheckpointTensorF32(folder.index, tensorName, MAX_CHECKPOINT_TENSOR_BYTES);
    if (t.shape.length !== 2) throw new ProjectorError(`tensor '${tensorName}' has shape [${t.shape.join(', ')}]; an embedding is 2-D`);
    return { data: t.data, shape: [t.shape[0]!, t.shape[1]!] };
  } catch (err) {
    if (err instanceof CheckpointError) throw new ProjectorError(err.message);
    throw err;
  }
}

/** The sprite image bytes of one embedding. */
export function loadSprite(sources: ProjectorRoot[], run: string, tensorName: string): { bytes: Uint8Array; contentType: string } {
  const { logdir, dir, info } = configOf(sources, run, tensorName);
  if (!info.sprite?.imagePath) throw new ProjectorError(`embedding '${tensorName}' has no sprite`);
  const file = inside(logdir, dir, info.sprite.imagePath);
  const bytes = readBounded(file, info.sprite.imagePath);
  return { bytes, contentType: /\.jpe?g$/i.test(file) ? 'image/jpeg' : 'image/png' };
}
