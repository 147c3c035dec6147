/** The researcher CLI's exit codes (apps/researcher-cli/README.md); scripts branch on them. */
export const ExitCode = {
  /** Done as asked. */
  Ok: 0,
  /** The command line is wrong: unknown command or option, a missing argument, an unreadable file. */
  Usage: 1,
  /** The broker refused the request as invalid: the query (400), an unknown id (404), a taken name (409), too large (413). */
  Invalid: 2,
  /** Not signed in, the token is invalid or expired (401), or the role does not allow it or the user is blacklisted (403). */
  Auth: 3,
  /** A quota says not now (429); the message says when to try again. */
  Quota: 4,
  /** The broker cannot be reached, or it failed (5xx). */
  Unreachable: 5,
  /** The query expired before every site answered, or no site answered it with a count. */
  QueryUnsuccessful: 6,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A failure the CLI reports with a message on stderr and an exit code; `details` are further lines (issues). */
export class CliError extends Error {
  override readonly name = 'CliError';

  constructor(
    readonly exitCode: ExitCode,
    message: string,
    readonly details: readonly string[] = [],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
