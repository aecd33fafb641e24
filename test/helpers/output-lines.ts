/**
 * Captures the line output of the wamp-sessions command (and the demo around it) and waits for
 * lines, bounded, for the CLI and example tests.
 */
export class OutputLines {
  readonly out: string[] = [];
  readonly err: string[] = [];
  /** Pass as streams (text ending in a newline per line, as the command writes it). */
  readonly stdout = { write: (text: string): void => splitLines(text, this.out) };
  readonly stderr = { write: (text: string): void => splitLines(text, this.err) };

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

function splitLines(text: string, into: string[]): void {
  into.push(...text.split('\n').slice(0, -1));
}
