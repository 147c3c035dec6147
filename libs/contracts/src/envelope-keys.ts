import { err, ok, type Result } from '@fq/result';
import { fromPublic, fromSeed, type KeyPair, Prefix } from 'nkeys.js';
// The codec turns nkey text into raw key bytes; nkeys.js exports it only from this module (the version is pinned).
import { Codec } from 'nkeys.js/lib/codec';
import sodium from 'sodium-native';
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

/** Why a seed could not be used. */
export interface KeyIssue {
  code: 'KEY_SEED_INVALID';
  message: string;
}

export type KeyResult<T> = Result<T, KeyIssue>;

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
  // nkeys.js signs in pure JavaScript (milliseconds per signature); libsodium gives the same Ed25519 signatures in
  // about 20 µs, half of what node's OpenSSL 3 takes, which matters when the broker signs one envelope per site per
  // query and every site signs each answer. nkeys.js only checks and decodes the seed.
  pair.value.clear();
  const rawSeed = Buffer.from(Codec.decodeSeed(new TextEncoder().encode(seed.trim())).buf);
  const rawPublicKey = Buffer.alloc(sodium.crypto_sign_PUBLICKEYBYTES);
  // Locked, non-swappable memory for the expanded secret key, which lives as long as the signer.
  const secretKey = sodium.sodium_malloc(sodium.crypto_sign_SECRETKEYBYTES);
  sodium.crypto_sign_seed_keypair(rawPublicKey, secretKey, rawSeed);
  sodium.sodium_memzero(rawSeed);
  const publicKey = new TextDecoder().decode(Codec.encode(Prefix.Account, rawPublicKey));
  return ok({
    publicKey,
    sign: (bytes) => {
      const signature = new Uint8Array(sodium.crypto_sign_BYTES);
      sodium.crypto_sign_detached(asBuffer(signature), asBuffer(bytes), secretKey);
      return signature;
    },
    toJSON: () => `EnvelopeSigner(${publicKey})`,
  });
}

/** A Buffer over the same memory, which sodium-native's signatures ask for; nothing is copied. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Checks a NATS user seed (`SU…`) and returns its public key; the connection uses the seed itself. */
export function natsUserPublicKeyOf(seed: string): KeyResult<NatsUserPublicKey> {
  const pair = pairFromSeed(seed.trim(), NATS_USER_SEED, 'a NATS user seed (SU…)');
  return pair.ok ? ok(pair.value.getPublicKey()) : pair;
}

function pairFromSeed(seed: string, shape: RegExp, what: string): KeyResult<KeyPair> {
  // The message never quotes the seed: it is a secret even when it is malformed.
  if (!shape.test(seed)) {
    return err({ code: 'KEY_SEED_INVALID', message: `not ${what}` });
  }
  try {
    return ok(fromSeed(new TextEncoder().encode(seed)));
  } catch {
    return err({ code: 'KEY_SEED_INVALID', message: `not ${what}: the checksum is wrong` });
  }
}

/** True if `signature` is `publicKey`'s Ed25519 signature of `bytes`; false for any malformed input. */
export function verifyWithPublicKey(publicKey: string, bytes: Uint8Array, signature: Uint8Array): boolean {
  if (signature.byteLength !== sodium.crypto_sign_BYTES) {
    return false;
  }
  try {
    return sodium.crypto_sign_verify_detached(asBuffer(signature), asBuffer(bytes), verificationKey(publicKey));
  } catch {
    return false;
  }
}

// Verification keys are few (the broker and the registered sites); decoding one (base32 and checksum) costs more than
// looking it up.
const MAX_CACHED_KEYS = 4096;
const verificationKeys = new Map<string, Buffer>();

function verificationKey(publicKey: string): Buffer {
  let key = verificationKeys.get(publicKey);
  if (key === undefined) {
    key = rawPublicKey(publicKey);
    if (verificationKeys.size >= MAX_CACHED_KEYS) {
      verificationKeys.clear();
    }
    verificationKeys.set(publicKey, key);
  }
  return key;
}

/** The 32 raw bytes of an envelope or NATS user public key; throws for anything else (checksum included). */
function rawPublicKey(publicKey: string): Buffer {
  const encoded = new TextEncoder().encode(publicKey);
  const prefix = publicKey.startsWith('U') ? Prefix.User : Prefix.Account;
  return Buffer.from(Codec.decode(prefix, encoded));
}
