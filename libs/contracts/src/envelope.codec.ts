import { formatIssuePath } from '@fq/ccdl';
import { Envelope } from './envelope.schema';

/** Envelopes above this size are refused unread: a query with its criteria fits easily. */
export const MAX_ENVELOPE_BYTES = 256 * 1024;

/** One reason a message was refused, with a stable code (ENVELOPE_…) for the audit log. */
export interface EnvelopeIssue {
  code: 'ENVELOPE_TOO_LARGE' | 'ENVELOPE_JSON_INVALID' | 'ENVELOPE_SCHEMA_INVALID' | 'ENVELOPE_TYPE_UNEXPECTED';
  message: string;
  issues?: Array<{ path: string; message: string }>;
}

export type DecodeResult<T> = { ok: true; value: T } | { ok: false; error: EnvelopeIssue };

/** Serialises an envelope for the wire. */
export function encodeEnvelope(envelope: Envelope): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(envelope));
}

/** Parses bytes from NATS into an envelope of one of the `expected` types; never throws on bad input. */
export function decodeEnvelope<T extends Envelope['type']>(
  data: Uint8Array,
  expected: readonly T[],
): DecodeResult<Extract<Envelope, { type: T }>> {
  if (data.byteLength > MAX_ENVELOPE_BYTES) {
    return fail('ENVELOPE_TOO_LARGE', `${data.byteLength} bytes exceed the limit of ${MAX_ENVELOPE_BYTES}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(data));
  } catch (error) {
    return fail('ENVELOPE_JSON_INVALID', error instanceof Error ? error.message : 'not UTF-8 JSON');
  }
  const parsed = Envelope.safeParse(json);
  if (!parsed.success) {
    return {
      ok: false,
      error: {
        code: 'ENVELOPE_SCHEMA_INVALID',
        message: 'the message is not a valid envelope',
        issues: parsed.error.issues.map((issue) => ({ path: formatIssuePath(issue.path), message: issue.message })),
      },
    };
  }
  if (!(expected as readonly string[]).includes(parsed.data.type)) {
    return fail('ENVELOPE_TYPE_UNEXPECTED', `expected ${expected.join(' or ')}, got ${parsed.data.type}`);
  }
  // The type check above is what narrows; TypeScript cannot follow includes().
  return { ok: true, value: parsed.data as Extract<Envelope, { type: T }> };
}

function fail(code: EnvelopeIssue['code'], message: string): { ok: false; error: EnvelopeIssue } {
  return { ok: false, error: { code, message } };
}
