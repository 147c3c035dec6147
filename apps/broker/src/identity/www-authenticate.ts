/** The realm of every challenge the broker sends. */
export const BEARER_REALM = 'fq-broker';

/** The error codes of RFC 6750 §3.1. */
export type BearerError = 'invalid_request' | 'invalid_token' | 'insufficient_scope';

const MAX_DESCRIPTION_LENGTH = 256;

/**
 * A `WWW-Authenticate` value for the Bearer scheme (RFC 6750 §3) that is valid whatever `description` holds: the
 * description is narrowed to RFC 6750's characters (printable ASCII without `"` and `\`) and then quoted as RFC 9110
 * §5.6.4 says, so Node never refuses the header and no client can be confused by it.
 */
export function bearerChallenge(error?: BearerError, description?: string): string {
  const params = [`realm=${quotedString(BEARER_REALM)}`];
  if (error !== undefined) {
    params.push(`error=${quotedString(error)}`);
  }
  if (description !== undefined && description !== '') {
    params.push(`error_description=${quotedString(bearerDescription(description))}`);
  }
  return `Bearer ${params.join(', ')}`;
}

/** An RFC 9110 quoted-string: visible ASCII, space and tab kept, `"` and `\` escaped, anything else replaced by `?`. */
export function quotedString(value: string): string {
  return `"${value.replace(/[^\t\x20-\x7e]/g, '?').replace(/["\\]/g, '\\$&')}"`;
}

// RFC 6750 §3: error_description is %x20-21 / %x23-5B / %x5D-7E; typographic quotes become their ASCII look-alikes.
function bearerDescription(text: string): string {
  const ascii = text
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201c\u201d"]/g, "'")
    .replace(/\\/g, '/')
    .replace(/[^\x20-\x7e]/g, '?');
  return ascii.length <= MAX_DESCRIPTION_LENGTH ? ascii : `${ascii.slice(0, MAX_DESCRIPTION_LENGTH - 3)}...`;
}
