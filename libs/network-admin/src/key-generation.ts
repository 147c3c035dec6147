import { createAccount, createUser, type KeyPair } from 'nkeys.js';

// The kinds are those of @fq/contracts' envelope-keys.ts: envelope signing keys are "account" nkeys (SA…, A…), NATS
// logins "user" nkeys (SU…, U…); contracts parses and uses them, this lib makes them.

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
