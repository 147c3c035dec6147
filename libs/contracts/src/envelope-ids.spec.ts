import { z } from 'zod';
import { queryEnvelopeId } from './envelope-ids';

describe('queryEnvelopeId', () => {
  it('keeps the derivation brokers and sites of earlier versions used', () => {
    expect(queryEnvelopeId('6a1f6c0e-2f4b-4c1e-9d3a-0b8e7f6a5c41', 'site-a')).toBe(
      'a4a00386-60ae-8b4f-91bb-af57ab51c46a',
    );
  });

  it('is a UUID that differs per site', () => {
    const queryId = '6a1f6c0e-2f4b-4c1e-9d3a-0b8e7f6a5c41';
    expect(z.uuid().safeParse(queryEnvelopeId(queryId, 'site-a')).success).toBe(true);
    expect(queryEnvelopeId(queryId, 'site-a')).not.toBe(queryEnvelopeId(queryId, 'site-b'));
  });
});
