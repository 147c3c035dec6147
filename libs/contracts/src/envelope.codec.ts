import { type Err, err, formatIssuePath, ok, type Result } from '@fq/result';
import { z } from 'zod';
import { Envelope, type Sender, type UnsignedEnvelope } from './envelope.schema';
import { verifyEnvelopeSignature } from './envelope.signature';

// One decoder for every message: creating one per message cost more than the decoding. `fatal`: invalid UTF-8 throws.
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Envelopes above this size are rejected unread: a query with its criteria fits easily. */
export const MAX_ENVELOPE_BYTES = 256 * 1024;

/** Stable codes of a rejected envelope; receivers write them to their audit logs. */
export const EnvelopeCode = {
  TooLarge: 'ENVELOPE_TOO_LARGE',
  JsonInvalid: 'ENVELOPE_JSON_INVALID',
  SchemaInvalid: 'ENVELOPE_SCHEMA_INVALID',
  TypeUnexpected: 'ENVELOPE_TYPE_UNEXPECTED',
  Unsigned: 'ENVELOPE_UNSIGNED',
  SenderUnknown: 'ENVELOPE_SENDER_UNKNOWN',
  SignatureInvalid: 'ENVELOPE_SIGNATURE_INVALID',
  Expired: 'ENVELOPE_EXPIRED',
  SentInFuture: 'ENVELOPE_SENT_IN_FUTURE',
  Replayed: 'ENVELOPE_REPLAYED',
  SenderMismatch: 'ENVELOPE_SENDER_MISMATCH',
  /** A query envelope whose id the broker derived for another site: a copy replayed onto this site's subject. */
  SiteMismatch: 'ENVELOPE_SITE_MISMATCH',
} as const;
export type EnvelopeCode = (typeof EnvelopeCode)[keyof typeof EnvelopeCode];

/** One reason a message was rejected, with a stable code (ENVELOPE_…) for the audit log. */
export interface EnvelopeIssue {
  code: EnvelopeCode;
  message: string;
  issues?: Array<{ path: string; message: string }>;
}

export type DecodeResult<T> = Result<T, EnvelopeIssue>;

/** Serialises an envelope for the wire (or, unsigned, to measure it). */
export function encodeEnvelope(envelope: Envelope | UnsignedEnvelope): Uint8Array {
  return Buffer.from(JSON.stringify(envelope), 'utf8');
}

/** Parses bytes into an envelope of one of the `expected` types without checking its signature (wire taps, tools); never throws. Receivers use `openEnvelope`. */
export function decodeEnvelope<T extends Envelope['type']>(
  data: Uint8Array,
  expected: readonly T[],
): DecodeResult<Extract<Envelope, { type: T }>> {
  const json = readJson(data);
  return json.ok ? parseEnvelope(json.value, expected) : json;
}

/** The public key that signs for `sender`, or null when the receiver does not know (or accept) that sender. */
export type EnvelopeKeyResolver = (sender: Sender) => string | null;

/**
 * Parses and verifies bytes from NATS: size, JSON, a signature present, schema, expected type, a known sender, and
 * the sender's Ed25519 signature over the JSON exactly as received. Never throws on bad input.
 */
export function openEnvelope<T extends Envelope['type']>(
  data: Uint8Array,
  expected: readonly T[],
  keyOf: EnvelopeKeyResolver,
): DecodeResult<Extract<Envelope, { type: T }>> {
  const json = readJson(data);
  if (!json.ok) {
    return json;
  }
  const raw = json.value;
  if (isRecord(raw) && (raw.signature === undefined || raw.signature === null)) {
    return fail('ENVELOPE_UNSIGNED', 'the message carries no signature');
  }
  const parsed = parseEnvelope(raw, expected);
  if (!parsed.ok || !isRecord(raw)) {
    return parsed;
  }
  const publicKey = keyOf(parsed.value.sender);
  if (publicKey === null) {
    const who = parsed.value.sender.kind === 'site' ? `site ${parsed.value.sender.siteId}` : 'the broker';
    return fail('ENVELOPE_SENDER_UNKNOWN', `no trusted key for ${who} here`);
  }
  if (!verifyEnvelopeSignature(raw, publicKey)) {
    return fail('ENVELOPE_SIGNATURE_INVALID', "the signature does not match the sender's key and the content");
  }
  return parsed;
}

/** The JSON in a message that is not too large to read; every receiver starts here. */
function readJson(data: Uint8Array): Result<unknown, EnvelopeIssue> {
  if (data.byteLength > MAX_ENVELOPE_BYTES) {
    return fail('ENVELOPE_TOO_LARGE', `${data.byteLength} bytes exceed the limit of ${MAX_ENVELOPE_BYTES}`);
  }
  try {
    return ok(JSON.parse(STRICT_UTF8.decode(data)) as unknown);
  } catch (error) {
    return fail('ENVELOPE_JSON_INVALID', error instanceof Error ? error.message : 'not UTF-8 JSON');
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseEnvelope<T extends Envelope['type']>(
  json: unknown,
  expected: readonly T[],
): DecodeResult<Extract<Envelope, { type: T }>> {
  const parsed = Envelope.safeParse(json);
  if (!parsed.success) {
    return err({
      code: 'ENVELOPE_SCHEMA_INVALID',
      message: 'the message is not a valid envelope',
      issues: parsed.error.issues.map((issue) => ({ path: formatIssuePath(issue.path), message: issue.message })),
    });
  }
  if (!(expected as readonly string[]).includes(parsed.data.type)) {
    return fail('ENVELOPE_TYPE_UNEXPECTED', `expected ${expected.join(' or ')}, got ${parsed.data.type}`);
  }
  // The type check above is what narrows; TypeScript cannot follow includes().
  return ok(parsed.data as Extract<Envelope, { type: T }>);
}

function fail(code: EnvelopeIssue['code'], message: string): Err<EnvelopeIssue> {
  return err({ code, message });
}

/** One line about why a message was rejected, with its first few schema issues; receivers log and audit it. */
export function describeEnvelopeIssue(issue: EnvelopeIssue): string {
  const details = (issue.issues ?? [])
    .slice(0, 5)
    .map((i) => `${i.path}: ${i.message}`)
    .join('; ');
  return details === '' ? issue.message : `${issue.message} (${details})`;
}

const LenientIds = z.object({
  id: z.uuid().optional().catch(undefined),
  payload: z
    .object({ queryId: z.uuid().optional().catch(undefined) })
    .optional()
    .catch(undefined),
});

/** Envelope and query ids from a message that was rejected, where they can be read; for audit logs only. */
export function readEnvelopeIdsLeniently(data: Uint8Array): { envelopeId: string | null; queryId: string | null } {
  const none = { envelopeId: null, queryId: null };
  if (data.byteLength > MAX_ENVELOPE_BYTES) {
    return none;
  }
  try {
    // Lenient on purpose: ids are worth reading even from text that is not valid UTF-8.
    const parsed = LenientIds.safeParse(JSON.parse(new TextDecoder().decode(data)));
    return parsed.success
      ? { envelopeId: parsed.data.id ?? null, queryId: parsed.data.payload?.queryId ?? null }
      : none;
  } catch {
    return none;
  }
}
