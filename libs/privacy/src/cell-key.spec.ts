import { createHmac } from 'node:crypto';
import { FIXED_SECRET, OTHER_SECRET } from './__fixtures__/noise-fixtures';
import { cohortKeyBytes, createRecordKeyDeriver, isCohortKey, RECORD_KEY_BYTES } from './cell-key';

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
