import { err, ok, type Result } from '@fq/result';
import { canonicalJson } from './canonical-json';
import type { EnvelopeSigner } from './envelope-keys';
import { verifyWithPublicKey } from './envelope-keys';
import type { Envelope, UnsignedEnvelope } from './envelope.schema';

/** Prefixed to every signed text, so an envelope signature can never be valid as a signature of anything else. */
export const ENVELOPE_SIGNING_DOMAIN = 'fq-envelope-v1\n';

/** How far a sender's clock may run ahead of the receiver's before `sentAt` counts as "in the future". */
export const DEFAULT_CLOCK_SKEW_MS = 30_000;

/** Characters of a signature on the wire: 64 bytes of Ed25519 in unpadded base64url. */
export const ENVELOPE_SIGNATURE_LENGTH = 86;

const SIGNATURE_TEXT = /^[A-Za-z0-9_-]{86}$/;

/** The bytes a signature covers: the domain string and the canonical JSON of the envelope without `signature`. */
export function envelopeSigningBytes(unsigned: Readonly<Record<string, unknown>>): Uint8Array {
  const { signature: _signature, ...rest } = unsigned;
  return Buffer.from(`${ENVELOPE_SIGNING_DOMAIN}${canonicalJson(rest)}`, 'utf8');
}

/** Signs an envelope: the signature (base64url, 64 bytes) covers every other field. */
export function signEnvelope<T extends Envelope>(unsigned: UnsignedEnvelope<T>, signer: EnvelopeSigner): T {
  const signature = Buffer.from(signer.sign(envelopeSigningBytes(unsigned))).toString('base64url');
  // The spread adds exactly the field the unsigned type lacks.
  return { ...unsigned, signature } as unknown as T;
}

/** True if `raw.signature` is `publicKey`'s signature of the rest of `raw`, exactly as received. */
export function verifyEnvelopeSignature(raw: Readonly<Record<string, unknown>>, publicKey: string): boolean {
  const signature = raw.signature;
  if (typeof signature !== 'string' || !SIGNATURE_TEXT.test(signature)) {
    return false;
  }
  let bytes: Uint8Array;
  try {
    bytes = envelopeSigningBytes(raw);
  } catch {
    return false;
  }
  const decoded = Buffer.from(signature, 'base64url');
  // Base64 leaves unused bits in the last character: only the one canonical spelling of a signature counts.
  if (decoded.toString('base64url') !== signature) {
    return false;
  }
  return verifyWithPublicKey(publicKey, bytes, decoded);
}

/** Whether `expiresAt` has been reached at `at`. */
export function isEnvelopeExpired(envelope: Pick<Envelope, 'expiresAt'>, at: Date): boolean {
  return Date.parse(envelope.expiresAt) <= at.getTime();
}

/** Why an envelope is out of its time window. */
export interface TimingIssue {
  code: 'ENVELOPE_EXPIRED' | 'ENVELOPE_SENT_IN_FUTURE';
  message: string;
}

/**
 * Checks an envelope's time window at `at` (the receiver's clock, or the NATS server's storage time): expired once
 * `expiresAt` is reached, refused when `sentAt` is more than `skewMs` ahead.
 */
export function checkEnvelopeTiming(
  envelope: Pick<Envelope, 'sentAt' | 'expiresAt'>,
  at: Date,
  skewMs: number = DEFAULT_CLOCK_SKEW_MS,
): Result<void, TimingIssue> {
  const now = at.getTime();
  if (isEnvelopeExpired(envelope, at)) {
    return err({
      code: 'ENVELOPE_EXPIRED',
      message: `expired at ${envelope.expiresAt}, judged at ${at.toISOString()}`,
    });
  }
  if (Date.parse(envelope.sentAt) > now + skewMs) {
    return err({
      code: 'ENVELOPE_SENT_IN_FUTURE',
      message: `sent at ${envelope.sentAt}, more than ${skewMs} ms after ${at.toISOString()}`,
    });
  }
  return ok(undefined);
}
