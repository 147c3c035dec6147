import fc from 'fast-check';
import { fromPublic, fromSeed } from 'nkeys.js';
import { envelopeSignerFromSeed, verifyWithPublicKey } from './envelope-keys';
import { generateEnvelopeKey } from './__fixtures__/keys';

describe('envelope keys on node:crypto', () => {
  const key = generateEnvelopeKey();
  const signer = envelopeSignerFromSeed(key.seed);
  if (!signer.ok) {
    throw new Error(signer.error.message);
  }

  it('signs exactly as the nkeys reference implementation and verifies its signatures', () => {
    const reference = fromSeed(new TextEncoder().encode(key.seed));
    expect(signer.value.publicKey).toBe(key.publicKey);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        const ours = signer.value.sign(bytes);
        expect(Buffer.from(ours).equals(Buffer.from(reference.sign(bytes)))).toBe(true);
        expect(fromPublic(key.publicKey).verify(bytes, ours)).toBe(true);
        expect(verifyWithPublicKey(key.publicKey, bytes, reference.sign(bytes))).toBe(true);
      }),
      { numRuns: 8 },
    );
  });

  it('rejects a signature by another key, a flipped bit and a malformed public key', () => {
    const bytes = new TextEncoder().encode('fq-envelope-v1\n{}');
    const signature = signer.value.sign(bytes);
    const other = generateEnvelopeKey();
    expect(verifyWithPublicKey(key.publicKey, bytes, signature)).toBe(true);
    expect(verifyWithPublicKey(other.publicKey, bytes, signature)).toBe(false);
    const flipped = Uint8Array.from(signature);
    flipped[10] ^= 1;
    expect(verifyWithPublicKey(key.publicKey, bytes, flipped)).toBe(false);
    const damaged = `${key.publicKey.slice(0, -1)}${key.publicKey.endsWith('A') ? 'B' : 'A'}`;
    expect(verifyWithPublicKey(damaged, bytes, signature)).toBe(false);
    expect(verifyWithPublicKey('not a key', bytes, signature)).toBe(false);
  });
});
