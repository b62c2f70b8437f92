// `board inspect s3://BUCKET/PREFIX`: the same per-run report as for a local logdir, from the
// source's listing (runs named by the same rules) and ranged reads of 16 MiB at a time, so memory
// stays bounded however large the objects are. Each read is pinned to the listed ETag: an object
// rewritten while it is being read is an error naming it, never a mix of two versions.
import { groupRuns, listEventFiles } from '../discovery/index.ts';
import { RunInspector, type Inspection, type RunInspection } from '../tfevents/inspect.ts';
import { streamEventSource } from '../tfevents/reader.ts';
import { remoteFilesFor } from './remote.ts';

export async function inspectRemote(url: string): Promise<Inspection> {
  const remote = await remoteFilesFor(url);
  if (!remote) throw new Error(`${url}: not a URL`);
  const runs: Record<string, RunInspection> = {};
  for (const { run, files } of groupRuns(await listEventFiles([{ name: null, path: url }]))) {
    const acc = new RunInspector(files);
    for (const file of files) {
      const size = remote.stat(file)?.size ?? 0;
      const res = await streamEventSource(
        file,
        size,
        async (from, length) => {
          try {
            return await remote.read(file, from, length);
          } catch (err) {
            throw new Error(
              `${file}: reading bytes ${from}-${from + length - 1} failed: ${(err as Error).name}: ${(err as Error).message}`,
              {
                cause: err,
              },
            );
          }
        },
        { normalizer: acc.normalizer, onValue: acc.onValue },
      );
      acc.addFile(res);
    }
    runs[run] = acc.finish();
  }
  return { runs };
}
