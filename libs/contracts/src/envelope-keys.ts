import { createAccount, createUser, fromPublic, fromSeed, type KeyPair } from 'nkeys.js';
import { z } from 'zod';

// Envelope signing keys are nkeys of the "account" type (seed SA…, public key A…) and NATS logins are "user" nkeys
// (SU…, U…): the prefixes keep the two from being swapped by mistake. They have nothing to do with NATS accounts.
const ENVELOPE_PUBLIC = /^A[A-Z2-7]{55}$/;
const ENVELOPE_SEED = /^SA[A-Z2-7]{56}$/;
const NATS_USER_PUBLIC = /^U[A-Z2-7]{55}$/;
const NATS_USER_SEED = /^SU[A-Z2-7]{56}$/;

function validPublicKey(text: string): boolean {
  try {
    fromPublic(text);
    return true;
  } catch {
    return false;
  }
}

/** The public half of an envelope signing key (`A…`, 56 characters, checksum verified). */
export const EnvelopePublicKey = z
  .string()
  .regex(ENVELOPE_PUBLIC, { error: 'expected an envelope public key: A followed by 55 base32 characters' })
  .refine(validPublicKey, { error: 'the key checksum is wrong' });
export type EnvelopePublicKey = z.infer<typeof EnvelopePublicKey>;

/** The public half of a NATS user nkey (`U…`, 56 characters, checksum verified). */
export const NatsUserPublicKey = z
  .string()
  .regex(NATS_USER_PUBLIC, { error: 'expected a NATS user public key: U followed by 55 base32 characters' })
  .refine(validPublicKey, { error: 'the key checksum is wrong' });
export type NatsUserPublicKey = z.infer<typeof NatsUserPublicKey>;

/** A freshly generated key: the seed (secret; write it to a 0600 file) and its public key. */
export interface GeneratedKey {
  seed: string;
  publicKey: string;
}

/** Generates a new envelope signing key. */
export function generateEnvelopeKey(): GeneratedKey {
  return describePair(createAccount());
}

/** Generates a new NATS user nkey (the connection's login; never used for envelopes). */
export function generateNatsUserKey(): GeneratedKey {
  return describePair(createUser());
}

function describePair(pair: KeyPair): GeneratedKey {
  return { seed: new TextDecoder().decode(pair.getSeed()), publicKey: pair.getPublicKey() };
}

/** Why a seed could not be used. */
export interface KeyIssue {
  code: 'KEY_SEED_INVALID';
  message: string;
}

export type KeyResult<T> = { ok: true; value: T } | { ok: false; error: KeyIssue };

/** Signs bytes with an envelope seed; the seed stays inside the closure and is never serialised. */
export interface EnvelopeSigner {
  readonly publicKey: EnvelopePublicKey;
  sign(bytes: Uint8Array): Uint8Array;
  toJSON(): string;
}

/** Reads an envelope seed (`SA…`, surrounding whitespace ignored) into a signer. */
export function envelopeSignerFromSeed(seed: string): KeyResult<EnvelopeSigner> {
  const pair = pairFromSeed(seed.trim(), ENVELOPE_SEED, 'an envelope signing seed (SA…)');
  if (!pair.ok) {
    return pair;
  }
  const publicKey = pair.value.getPublicKey();
  return {
    ok: true,
    value: {
      publicKey,
      sign: (bytes) => pair.value.sign(bytes),
      toJSON: () => `EnvelopeSigner(${publicKey})`,
    },
  };
}

/** Checks a NATS user seed (`SU…`) and returns its public key; the connection uses the seed itself. */
export function natsUserPublicKeyOf(seed: string): KeyResult<NatsUserPublicKey> {
  const pair = pairFromSeed(seed.trim(), NATS_USER_SEED, 'a NATS user seed (SU…)');
  return pair.ok ? { ok: true, value: pair.value.getPublicKey() } : pair;
}

function pairFromSeed(seed: string, shape: RegExp, what: string): KeyResult<KeyPair> {
  // The message never quotes the seed: it is a secret even when it is malformed.
  if (!shape.test(seed)) {
    return { ok: false, error: { code: 'KEY_SEED_INVALID', message: `not ${what}` } };
  }
  try {
    return { ok: true, value: fromSeed(new TextEncoder().encode(seed)) };
  } catch {
    return { ok: false, error: { code: 'KEY_SEED_INVALID', message: `not ${what}: the checksum is wrong` } };
  }
}

/** True if `signature` is `publicKey`'s Ed25519 signature of `bytes`; false for any malformed input. */
export function verifyWithPublicKey(publicKey: string, bytes: Uint8Array, signature: Uint8Array): boolean {
  try {
    return fromPublic(publicKey).verify(bytes, signature);
  } catch {
    return false;
  }
}
