// Exit codes (DESIGN.md) and the one error type that reaches the user as a single line.
export const EXIT = { ok: 0, thresholdFailed: 1, usage: 2, infrastructure: 3, interrupted: 130 } as const;
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
}

export const usageError = (message: string, hint?: string) => new UserError(message, EXIT.usage, hint);
export const infraError = (message: string, hint?: string) => new UserError(message, EXIT.infrastructure, hint);
