/** How `wamp-sessions` ends: exit codes, and the two errors that carry the line to print. */

/** Exit codes of `wamp-sessions`. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A bad command line (exit code 2). Its message never contains a secret. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Something that stops the command before it reaches the router (exit code 1), e.g. autobahn missing. */
export class CliFailure extends Error {
  override readonly name = 'CliFailure';
}
