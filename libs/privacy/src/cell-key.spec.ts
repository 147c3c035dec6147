import { createHmac } from 'node:crypto';
import { xxh64 } from '@node-rs/xxhash';
import sodium from 'sodium-native';
import { FIXED_SECRET, OTHER_SECRET } from './__fixtures__/noise-fixtures';
import {
  cohortKeyBytes,
  createCohortKeyer,
  createRecordKeyDeriver,
  isCohortKey,
  numberingCheckOf,
  RECORD_KEY_BYTES,
} from './cell-key';

describe('createRecordKeyDeriver', () => {
  const recordKeyOf = createRecordKeyDeriver(FIXED_SECRET);

  it('is the first 16 bytes of HMAC-SHA256(secret, label ‖ patient id)', () => {
    const expected = createHmac('sha256', FIXED_SECRET)
      .update(Buffer.from('fq-privacy/record-key/v1\u0000'))
      .update('Patient-ä-1', 'utf8')
      .digest()
      .subarray(0, RECORD_KEY_BYTES);
    expect(Buffer.from(recordKeyOf('Patient-ä-1')).equals(expected)).toBe(true);
  });

  it('gives a patient the same key in any process and after the secret was copied', () => {
    const again = createRecordKeyDeriver(Uint8Array.from(FIXED_SECRET));
    expect(Buffer.from(again('p-17')).equals(Buffer.from(recordKeyOf('p-17')))).toBe(true);
  });

  it('gives other patients and other sites other keys', () => {
    const keys = new Set(['p1', 'p2', 'p10', 'P1', ''].map((id) => Buffer.from(recordKeyOf(id)).toString('hex')));
    expect(keys.size).toBe(5);
    const otherSite = createRecordKeyDeriver(OTHER_SECRET);
    expect(Buffer.from(otherSite('p1')).equals(Buffer.from(recordKeyOf('p1')))).toBe(false);
  });
});

describe('createCohortKeyer', () => {
  const keyOf = createCohortKeyer(FIXED_SECRET);

  it('is keyed BLAKE2b-128 of the size and the seeded XXH64 of the members, under derived keys', () => {
    const derived = createHmac('sha256', FIXED_SECRET).update(Buffer.from('fq-privacy/cohort-key/v3\u0000')).digest();
    const seed = createHmac('sha256', FIXED_SECRET)
      .update(Buffer.from('fq-privacy/cohort-digest-seed/v1\u0000'))
      .digest()
      .readBigUInt64BE(0);
    const members = Uint8Array.from([0b1011, 0, 0x80]);
    const input = Buffer.alloc(12);
    input.writeUInt32BE(4, 0);
    input.writeBigUInt64BE(xxh64(members, seed), 4);
    const expected = Buffer.alloc(16);
    sodium.crypto_generichash(expected, input, derived);
    expect(keyOf(members, 4)).toBe(expected.toString('hex'));
    expect(isCohortKey(keyOf(members, 4))).toBe(true);
  });

  it('keys with BLAKE2b as RFC 7693 defines it (an answer computed by another implementation)', () => {
    // Python's hashlib.blake2b(bytes(range(12)), key=bytes(range(32)), digest_size=16).hexdigest()
    const output = Buffer.alloc(16);
    sodium.crypto_generichash(output, Buffer.from([...Array(12).keys()]), Buffer.from([...Array(32).keys()]));
    expect(output.toString('hex')).toBe('b87d6508a37814d249d743bdafe1269e');
  });

  it('depends on the members only: equal bytes, equal keys; one patient more or less, another key', () => {
    const members = Uint8Array.from([0xff, 0x10, 0x01]);
    expect(keyOf(Uint8Array.from(members), 10)).toBe(keyOf(members, 10));
    const keys = new Set([
      keyOf(members, 10),
      keyOf(Uint8Array.from([0xff, 0x10, 0x03]), 11),
      keyOf(Uint8Array.from([0xfe, 0x10, 0x01]), 9),
      keyOf(Uint8Array.from([0xfe, 0x10, 0x03]), 10),
      keyOf(new Uint8Array(0), 0),
    ]);
    expect(keys.size).toBe(5);
  });

  it('gives cohorts of different sizes unrelated keys even if their digests were equal', () => {
    // The size enters the keyed hash beside the digest: a digest collision can only join cohorts of one size.
    const members = Uint8Array.from([0x21]);
    expect(keyOf(members, 2)).not.toBe(keyOf(members, 3));
  });

  it('gives the same cohort another key at another site', () => {
    const members = Uint8Array.from([0x21]);
    expect(createCohortKeyer(OTHER_SECRET)(members, 2)).not.toBe(keyOf(members, 2));
  });
});

describe('isCohortKey and cohortKeyBytes', () => {
  it('accept 32 lowercase hex digits and give their 16 bytes', () => {
    expect(isCohortKey('0f'.repeat(16))).toBe(true);
    expect(cohortKeyBytes('0f'.repeat(16))).toEqual(Buffer.alloc(16, 0x0f));
  });

  it.each([['0F'.repeat(16)], ['0'.repeat(31)], ['0'.repeat(33)], ['g'.repeat(32)], [17], [null]])(
    'refuse %j',
    (text) => {
      expect(isCohortKey(text)).toBe(false);
      expect(() => cohortKeyBytes(text as string)).toThrow(RangeError);
    },
  );
});

describe('numberingCheckOf', () => {
  it('is 16 bytes that differ between secrets and are no record key', () => {
    const check = numberingCheckOf(FIXED_SECRET);
    expect(check.length).toBe(RECORD_KEY_BYTES);
    expect(check.equals(numberingCheckOf(Uint8Array.from(FIXED_SECRET)))).toBe(true);
    expect(check.equals(numberingCheckOf(OTHER_SECRET))).toBe(false);
    expect(check.equals(Buffer.from(createRecordKeyDeriver(FIXED_SECRET)('')))).toBe(false);
  });
});
