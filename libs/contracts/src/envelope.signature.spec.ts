import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { encodeEnvelope, openEnvelope } from './envelope.codec';
import { envelopeSignerFromSeed, natsUserPublicKeyOf } from './envelope-keys';
import { generateEnvelopeKey, generateNatsUserKey } from './__fixtures__/keys';
import type { ResultEnvelope, Sender, UnsignedEnvelope } from './envelope.schema';
import {
  checkEnvelopeTiming,
  ENVELOPE_SIGNING_DOMAIN,
  envelopeSigningBytes,
  signEnvelope,
  verifyEnvelopeSignature,
} from './envelope.signature';

function signerOf(seed: string) {
  const signer = envelopeSignerFromSeed(seed);
  if (!signer.ok) {
    throw new Error(signer.error.message);
  }
  return signer.value;
}

const siteKey = generateEnvelopeKey();
const otherKey = generateEnvelopeKey();
const siteSigner = signerOf(siteKey.seed);

function anAnswer(): UnsignedEnvelope<ResultEnvelope> {
  return {
    id: randomUUID(),
    type: 'result',
    sentAt: '2026-01-01T10:00:01.000Z',
    expiresAt: '2026-01-01T10:01:00.000Z',
    sender: { kind: 'site', siteId: 'site-a' },
    payload: {
      status: 'answered',
      queryId: randomUUID(),
      siteId: 'site-a',
      queryHash: 'a'.repeat(64),
      dataVersion: 'v1',
      result: { kind: 'count', protectedCount: 120 },
    },
  };
}

const keyOf = (sender: Sender): string | null =>
  sender.kind === 'site' && sender.siteId === 'site-a' ? siteKey.publicKey : null;

const bytesOf = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));

describe('signEnvelope and openEnvelope', () => {
  it('accepts an envelope signed by the key registered for its sender', () => {
    const signed = signEnvelope<ResultEnvelope>(anAnswer(), siteSigner);
    expect(signed.signature).toMatch(/^[A-Za-z0-9_-]{86}$/);
    expect(openEnvelope(encodeEnvelope(signed), ['result'], keyOf)).toEqual({ ok: true, value: signed });
  });

  it('signs the domain string and the canonical JSON, so key order on the wire does not matter', () => {
    const unsigned = anAnswer();
    expect(new TextDecoder().decode(envelopeSigningBytes(unsigned)).startsWith(ENVELOPE_SIGNING_DOMAIN)).toBe(true);
    const signed = signEnvelope<ResultEnvelope>(unsigned, siteSigner);
    const reordered = Object.fromEntries(Object.entries(signed).reverse());
    expect(openEnvelope(bytesOf(reordered), ['result'], keyOf).ok).toBe(true);
  });

  it('refuses an envelope signed with another key', () => {
    const forged = signEnvelope<ResultEnvelope>(anAnswer(), signerOf(otherKey.seed));
    expect(openEnvelope(encodeEnvelope(forged), ['result'], keyOf)).toMatchObject({
      ok: false,
      error: { code: 'ENVELOPE_SIGNATURE_INVALID' },
    });
  });

  it('refuses an envelope whose content changed after signing, whatever field changed', () => {
    const signed = signEnvelope<ResultEnvelope>(anAnswer(), siteSigner);
    const tampered = [
      { ...signed, payload: { ...signed.payload, result: { kind: 'count', protectedCount: 130 } } },
      { ...signed, expiresAt: '2026-01-02T10:01:00.000Z' },
      { ...signed, id: randomUUID() },
      { ...signed, sentAt: '2026-01-01T10:00:02.000Z' },
    ];
    for (const envelope of tampered) {
      expect(openEnvelope(bytesOf(envelope), ['result'], keyOf)).toMatchObject({
        ok: false,
        error: { code: 'ENVELOPE_SIGNATURE_INVALID' },
      });
    }
  });

  it('accepts only the canonical base64url spelling of a signature', () => {
    const signed = signEnvelope<ResultEnvelope>(anAnswer(), siteSigner);
    const signature = signed.signature ?? '';
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(signature.at(-1) ?? '');
    // The last of 86 characters carries 2 bits of the signature and 4 unused ones.
    const sameBytes = `${signature.slice(0, -1)}${alphabet[last ^ 1]}`;
    expect(Buffer.from(sameBytes, 'base64url')).toEqual(Buffer.from(signature, 'base64url'));
    expect(verifyEnvelopeSignature(signed, siteKey.publicKey)).toBe(true);
    expect(verifyEnvelopeSignature({ ...signed, signature: sameBytes }, siteKey.publicKey)).toBe(false);
  });

  it('refuses a signature made without the domain string', () => {
    const unsigned = anAnswer();
    const bare = new TextEncoder().encode(
      new TextDecoder().decode(envelopeSigningBytes(unsigned)).slice(ENVELOPE_SIGNING_DOMAIN.length),
    );
    const signature = Buffer.from(siteSigner.sign(bare)).toString('base64url');
    expect(verifyEnvelopeSignature({ ...unsigned, signature }, siteKey.publicKey)).toBe(false);
  });

  it('calls an envelope without a signature, or with a null one, unsigned', () => {
    const unsigned = anAnswer();
    for (const envelope of [unsigned, { ...unsigned, signature: null }]) {
      expect(openEnvelope(bytesOf(envelope), ['result'], keyOf)).toMatchObject({
        ok: false,
        error: { code: 'ENVELOPE_UNSIGNED' },
      });
    }
  });

  it('refuses a sender the receiver has no key for, even with a valid signature', () => {
    const envelope = anAnswer();
    const fromB = signEnvelope<ResultEnvelope>(
      { ...envelope, sender: { kind: 'site', siteId: 'site-b' }, payload: { ...envelope.payload, siteId: 'site-b' } },
      siteSigner,
    );
    expect(openEnvelope(encodeEnvelope(fromB), ['result'], keyOf)).toMatchObject({
      ok: false,
      error: { code: 'ENVELOPE_SENDER_UNKNOWN' },
    });
  });

  it('never accepts a mutation of a signed envelope and never throws', () => {
    const text = JSON.stringify(signEnvelope<ResultEnvelope>(anAnswer(), siteSigner));
    fc.assert(
      fc.property(
        fc.nat({ max: text.length - 1 }),
        fc.string({ minLength: 1, maxLength: 1, unit: 'binary' }),
        (position, char) => {
          fc.pre(text[position] !== char);
          const mutated = `${text.slice(0, position)}${char}${text.slice(position + 1)}`;
          const opened = openEnvelope(new TextEncoder().encode(mutated), ['result'], keyOf);
          // A mutation inside insignificant whitespace cannot exist: the text has none.
          expect(opened.ok).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('checkEnvelopeTiming', () => {
  const envelope = { sentAt: '2026-01-01T10:00:00.000Z', expiresAt: '2026-01-01T10:01:00.000Z' };

  it('accepts an envelope inside its window', () => {
    expect(checkEnvelopeTiming(envelope, new Date('2026-01-01T10:00:30.000Z'))).toEqual({ ok: true });
  });

  it('calls it expired from expiresAt on', () => {
    expect(checkEnvelopeTiming(envelope, new Date('2026-01-01T10:01:00.000Z'))).toMatchObject({
      ok: false,
      error: { code: 'ENVELOPE_EXPIRED' },
    });
  });

  it('allows a small clock skew but refuses an envelope sent further in the future', () => {
    expect(checkEnvelopeTiming(envelope, new Date('2026-01-01T09:59:40.000Z'), 30_000)).toEqual({ ok: true });
    expect(checkEnvelopeTiming(envelope, new Date('2026-01-01T09:59:20.000Z'), 30_000)).toMatchObject({
      ok: false,
      error: { code: 'ENVELOPE_SENT_IN_FUTURE' },
    });
  });
});

describe('keys', () => {
  it('keeps envelope keys and NATS user keys apart by their prefixes', () => {
    const user = generateNatsUserKey();
    expect(user.seed).toMatch(/^SU/);
    expect(siteKey.seed).toMatch(/^SA/);
    expect(envelopeSignerFromSeed(user.seed)).toMatchObject({ ok: false, error: { code: 'KEY_SEED_INVALID' } });
    expect(natsUserPublicKeyOf(siteKey.seed)).toMatchObject({ ok: false, error: { code: 'KEY_SEED_INVALID' } });
    expect(natsUserPublicKeyOf(`${user.seed}\n`)).toEqual({ ok: true, value: user.publicKey });
  });

  it('never puts the seed into an error message or into JSON', () => {
    // A character in the middle: the last one carries 2 padding bits, so changing it may keep the same seed.
    const broken = `${siteKey.seed.slice(0, 20)}${siteKey.seed[20] === 'A' ? 'B' : 'A'}${siteKey.seed.slice(21)}`;
    const result = envelopeSignerFromSeed(broken);
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain(broken.slice(2, 20));
    expect(JSON.stringify({ signer: siteSigner })).not.toContain(siteKey.seed);
  });
});
