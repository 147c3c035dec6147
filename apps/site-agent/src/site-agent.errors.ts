/** The agent could not start; `main` prints the message and exits non-zero. */
export class SiteAgentStartError extends Error {
  override readonly name = 'SiteAgentStartError';

  constructor(
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
