// Exit codes (DESIGN.md) and the one error type that reaches the user as a single line.
// internal (4) is chat-bench's own bug, kept apart from infrastructure (3) so CI can tell them apart.
export const EXIT = { ok: 0, thresholdFailed: 1, usage: 2, infrastructure: 3, internal: 4, interrupted: 130 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * A failure the user can act on: printed as one line ("chat-bench: <message> (hint: …)"),
 * never with a stack trace, and mapped to its documented exit code.
 */
export class UserError extends Error {
  constructor(message: string, readonly exitCode: ExitCode = EXIT.usage, readonly hint?: string) {
    super(message);
    this.name = 'UserError';
  }
  oneLine(): string {
    return `chat-bench: ${this.message}${this.hint ? ` (hint: ${this.hint})` : ''}`;
  }
  /** Every line to print: one per problem (a scenario may have several, see ScenarioProblems). */
  lines(): string[] {
    return [this.oneLine()];
  }
}

/** Several refusals of one input: `message`/`hint` are the first one's, `lines()` prints them all. */
export class UserErrors extends UserError {
  constructor(readonly all: readonly UserError[]) {
    super(all[0].message, all[0].exitCode, all[0].hint);
    this.name = 'UserErrors';
  }
  override lines(): string[] {
    return this.all.map((e) => e.oneLine());
  }
}

export const usageError = (message: string, hint?: string) => new UserError(message, EXIT.usage, hint);
export const infraError = (message: string, hint?: string) => new UserError(message, EXIT.infrastructure, hint);
