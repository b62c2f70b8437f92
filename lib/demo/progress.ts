// A one-line progress bar per epoch: `epoch 1/5 [#####.....] 23040/60000 loss 0.4123 5123 samples/s`.
// On a terminal it redraws in place; otherwise (logs, CI) it prints a line every quarter epoch.

export class ProgressBar {
  private readonly start = performance.now();
  private lastDraw = 0;
  private nextQuarter = 0.25;
  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly width = 28,
  ) {}

  /** Samples per second since the bar started. */
  rate(done: number): number {
    const secs = (performance.now() - this.start) / 1000;
    return secs > 0 ? done / secs : 0;
  }

  line(done: number, loss: number): string {
    const frac = this.total > 0 ? Math.min(1, done / this.total) : 1;
    const fill = Math.round(frac * this.width);
    const bar = `${'#'.repeat(fill)}${'.'.repeat(this.width - fill)}`;
    const lossText = Number.isFinite(loss) ? loss.toFixed(4) : 'n/a';
    return `${this.label} [${bar}] ${String(done).padStart(String(this.total).length)}/${this.total} loss ${lossText} ${Math.round(this.rate(done))} samples/s`;
  }

  update(done: number, loss: number): void {
    const now = performance.now();
    if (this.out.isTTY) {
      if (now - this.lastDraw < 100 && done < this.total) return;
      this.lastDraw = now;
      this.out.write(`\r${this.line(done, loss)}`);
    } else if (this.total > 0 && done / this.total >= this.nextQuarter && done < this.total) {
      while (done / this.total >= this.nextQuarter) this.nextQuarter += 0.25;
      this.out.write(`${this.line(done, loss)}\n`);
    }
  }

  finish(done: number, loss: number): void {
    this.out.write(`${this.out.isTTY ? '\r' : ''}${this.line(done, loss)}\n`);
  }
}
