/** Unreadable, malformed or too openly readable development issuer key file: the broker and the CLI refuse to go on. */
export class DevIssuerKeyError extends Error {
  override readonly name = 'DevIssuerKeyError';
  readonly code = 'BROKER_DEV_ISSUER_KEY_INVALID';
}
