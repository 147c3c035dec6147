import { EnvelopePublicKey, envelopeSignerFromSeed, NatsUserPublicKey, natsUserPublicKeyOf } from '@fq/contracts';
import { generateEnvelopeKey, generateNatsUserKey } from './key-generation';

describe('generateEnvelopeKey', () => {
  it('makes a seed that @fq/contracts signs with, under the public key it reports', () => {
    const key = generateEnvelopeKey();
    const signer = envelopeSignerFromSeed(key.seed);
    expect(signer.ok && signer.value.publicKey).toBe(key.publicKey);
    expect(EnvelopePublicKey.safeParse(key.publicKey).success).toBe(true);
  });

  it('is not a NATS login', () => {
    const key = generateEnvelopeKey();
    expect(natsUserPublicKeyOf(key.seed).ok).toBe(false);
    expect(NatsUserPublicKey.safeParse(key.publicKey).success).toBe(false);
  });
});

describe('generateNatsUserKey', () => {
  it('makes a NATS login seed whose public key @fq/contracts derives the same', () => {
    const key = generateNatsUserKey();
    const publicKey = natsUserPublicKeyOf(key.seed);
    expect(publicKey.ok && publicKey.value).toBe(key.publicKey);
    expect(NatsUserPublicKey.safeParse(key.publicKey).success).toBe(true);
  });

  it('is not an envelope signing key', () => {
    const key = generateNatsUserKey();
    expect(envelopeSignerFromSeed(key.seed).ok).toBe(false);
  });
});

it('never makes the same key twice', () => {
  const seeds = new Set(
    Array.from({ length: 16 }, (_, index) => (index % 2 === 0 ? generateEnvelopeKey() : generateNatsUserKey()).seed),
  );
  expect(seeds.size).toBe(16);
});
