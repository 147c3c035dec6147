import { createAccount, createUser, type KeyPair } from 'nkeys.js';

// The specs' keys. The network's own are made by @fq/network-admin, which contracts may not import (it imports us).

/** A fresh envelope signing key (seed SA…, public key A…). */
export function generateEnvelopeKey(): { seed: string; publicKey: string } {
  return keyOf(createAccount());
}

/** A fresh NATS user nkey (seed SU…, public key U…). */
export function generateNatsUserKey(): { seed: string; publicKey: string } {
  return keyOf(createUser());
}

function keyOf(pair: KeyPair): { seed: string; publicKey: string } {
  return { seed: new TextDecoder().decode(pair.getSeed()), publicKey: pair.getPublicKey() };
}
