/**
 * Captures the line output of the examples (runMonitor / runDemo writers) and waits for lines,
 * bounded, for the example tests.
 */
export class OutputLines {
  readonly out: string[] = [];
  readonly err: string[] = [];
  /** Pass as the `out` / `err` writers. */
  readonly writeOut = (line: string): void => void this.out.push(line);
  readonly writeErr = (line: string): void => void this.err.push(line);

  /** Resolves with the first `out` line after index `from` matching `pattern`; rejects after `timeoutMs`. */
  async waitFor(pattern: RegExp, { from = 0, timeoutMs = 5000 } = {}): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.out.slice(from).find((l) => pattern.test(l));
      if (line !== undefined) return line;
      if (Date.now() >= deadline) throw new Error(`no output line matching ${pattern} within ${timeoutMs} ms; got:\n${this.out.join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}
