// Progress of the initial ingest: a redrawn bar on a TTY (bytes done/total, events/s, ETA), one
// plain line per phase otherwise (logs and CI stay readable).

export interface ProgressSink {
  phase(message: string): void;
  start(totalBytes: number, files: number): void;
  advance(bytes: number, events: number): void;
  done(summary: string): void;
}

export const silentProgress: ProgressSink = { phase() {}, start() {}, advance() {}, done() {} };

export function createProgress(mode: boolean | 'auto' | undefined, stream: NodeJS.WriteStream = process.stderr): ProgressSink {
  if (!mode) return silentProgress;
  return stream.isTTY ? new BarProgress(stream) : new LineProgress(stream);
}

class LineProgress implements ProgressSink {
  constructor(private readonly out: NodeJS.WritableStream) {}
  phase(message: string): void {
    this.out.write(`board: ${message}\n`);
  }
  start(totalBytes: number, files: number): void {
    this.out.write(`board: reading ${files} event file(s), ${formatBytes(totalBytes)} new\n`);
  }
  advance(): void {}
  done(summary: string): void {
    this.out.write(`board: ${summary}\n`);
  }
}

class BarProgress implements ProgressSink {
  private total = 0;
  private bytes = 0;
  private events = 0;
  private t0 = performance.now();
  private lastDraw = 0;
  constructor(private readonly out: NodeJS.WriteStream) {}
  phase(message: string): void {
    this.clear();
    this.out.write(`board: ${message}\n`);
  }
  start(totalBytes: number): void {
    this.total = totalBytes;
    this.t0 = performance.now();
    this.draw(true);
  }
  advance(bytes: number, events: number): void {
    this.bytes += bytes;
    this.events += events;
    this.draw(false);
  }
  done(summary: string): void {
    this.clear();
    this.out.write(`board: ${summary}\n`);
  }

  private clear(): void {
    this.out.write('\r\x1b[2K');
  }

  private draw(force: boolean): void {
    const now = performance.now();
    if (!force && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const secs = Math.max(1e-3, (now - this.t0) / 1000);
    const frac = this.total > 0 ? Math.min(1, this.bytes / this.total) : 1;
    const width = Math.max(10, Math.min(40, (this.out.columns ?? 80) - 60));
    const filled = Math.round(frac * width);
    const rate = this.events / secs;
    const eta = frac > 0 && frac < 1 ? (secs / frac) * (1 - frac) : 0;
    const line =
      `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${formatBytes(this.bytes)}/${formatBytes(this.total)} ` +
      `${formatCount(rate)} events/s ETA ${formatSecs(eta)}`;
    this.out.write(`\r\x1b[2K${line}`);
  }
}

export function formatBytes(b: number): string {
  if (b < 1024) return `${b} B`;
  if (b < 1024 ** 2) return `${(b / 1024).toFixed(1)} KiB`;
  if (b < 1024 ** 3) return `${(b / 1024 ** 2).toFixed(1)} MiB`;
  return `${(b / 1024 ** 3).toFixed(2)} GiB`;
}

function formatCount(x: number): string {
  return x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)}k` : x.toFixed(0);
}

function formatSecs(s: number): string {
  if (s < 60) return `${s.toFixed(0)}s`;
  return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
}
