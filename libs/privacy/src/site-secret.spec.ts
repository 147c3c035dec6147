import { PrivacyInputError, PrivacyIssueCode, PrivacySecretError } from './errors';
import { decodeSiteSecret, encodeSiteSecret, generateSiteSecret, SITE_SECRET_BYTES } from './site-secret';

function expectDecodeFailure(text: string): string {
  const result = decodeSiteSecret(text);
  if (result.ok) {
    throw new Error('expected the secret to be refused');
  }
  expect(result.error).toBeInstanceOf(PrivacySecretError);
  expect(result.error.code).toBe('PRIVACY_SITE_SECRET_INVALID');
  expect(result.error.issues).toHaveLength(1);
  expect(result.error.issues[0]?.code).toBe(PrivacyIssueCode.SiteSecretInvalid);
  return result.error.message;
}

describe('generateSiteSecret', () => {
  it('returns 32 bytes', () => {
    const secret = generateSiteSecret();
    expect(secret).toBeInstanceOf(Uint8Array);
    expect(secret).toHaveLength(SITE_SECRET_BYTES);
  });

  it('returns a different secret each time', () => {
    expect(Buffer.from(generateSiteSecret()).equals(Buffer.from(generateSiteSecret()))).toBe(false);
  });
});

describe('encodeSiteSecret and decodeSiteSecret', () => {
  it('round-trip a secret through 43 characters of unpadded base64url', () => {
    const secret = generateSiteSecret();
    const text = encodeSiteSecret(secret);
    expect(text).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(decodeSiteSecret(text)).toEqual({ ok: true, value: secret });
  });

  it('encode a known secret to its known text', () => {
    const secret = Uint8Array.from({ length: 32 }, (_, i) => i);
    expect(encodeSiteSecret(secret)).toBe('AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8');
  });

  it('ignore the line break a secret file usually ends with', () => {
    const secret = generateSiteSecret();
    expect(decodeSiteSecret(`${encodeSiteSecret(secret)}\n`)).toEqual({ ok: true, value: secret });
  });

  it('accept a secret longer than 32 bytes', () => {
    const secret = Uint8Array.from({ length: 64 }, (_, i) => i * 3);
    expect(decodeSiteSecret(encodeSiteSecret(secret))).toEqual({ ok: true, value: secret });
  });

  it('refuse to encode a secret shorter than 32 bytes', () => {
    expect(() => encodeSiteSecret(new Uint8Array(16))).toThrow(PrivacyInputError);
  });

  it.each([
    ['empty text', '   '],
    ['padding', 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8='],
    ['standard base64 characters', 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+/'],
    ['a non-canonical last character', 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh9'],
    ['a dangling character', 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8AA'],
    ['only 16 bytes', 'AAECAwQFBgcICQoLDA0ODw'],
  ])('refuse %s', (_label, text) => {
    expectDecodeFailure(text);
  });

  it('never echo the secret text in the error', () => {
    const text = `${encodeSiteSecret(generateSiteSecret()).slice(0, 30)}+`;
    expect(expectDecodeFailure(text)).not.toContain(text.slice(0, 10));
  });

  it('refuse a value that is not text', () => {
    expectDecodeFailure(42 as unknown as string);
  });
});
