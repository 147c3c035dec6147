import { encodeEnvelope, openEnvelope, ResultEnvelope } from '@fq/contracts';
import { queryEnvelope, signerOf, TEST_SITE_KEY } from './__fixtures__/site-world';
import { buildResultEnvelope, deriveResultEnvelopeId } from './result-envelope';

const QUERY_ID = '6a1f6c0e-2f4b-4c1e-9d3a-0b8e7f6a5c41';

describe('deriveResultEnvelopeId', () => {
  it('derives a stable version-5 UUID from query id and site id', () => {
    const id = deriveResultEnvelopeId(QUERY_ID, 'site-a');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(deriveResultEnvelopeId(QUERY_ID.toUpperCase(), 'site-a')).toBe(id);
  });

  it('differs between sites and between queries', () => {
    const ids = new Set([
      deriveResultEnvelopeId(QUERY_ID, 'site-a'),
      deriveResultEnvelopeId(QUERY_ID, 'site-b'),
      deriveResultEnvelopeId('0f4b7e2a-9c3d-4e8f-a1b2-c3d4e5f60718', 'site-a'),
    ]);
    expect(ids.size).toBe(3);
  });
});

describe('buildResultEnvelope', () => {
  it('builds a contract-valid envelope from the site, signed with its key', () => {
    const query = queryEnvelope();
    const envelope = buildResultEnvelope(
      query,
      {
        status: 'refused',
        queryId: query.payload.queryId,
        siteId: 'site-a',
        code: 'SITE_RATE_LIMITED',
        reason: 'too many',
      },
      'site-a',
      new Date('2025-03-01T10:00:00.000Z'),
      signerOf(TEST_SITE_KEY),
    );
    expect(ResultEnvelope.safeParse(envelope).success).toBe(true);
    expect(envelope).toMatchObject({ sender: { kind: 'site', siteId: 'site-a' }, expiresAt: query.expiresAt });
    const opened = openEnvelope(encodeEnvelope(envelope), ['result'], () => TEST_SITE_KEY.publicKey);
    expect(opened).toEqual({ ok: true, value: envelope });
  });

  it('throws rather than send a payload with a field outside the contract', () => {
    const query = queryEnvelope();
    const leaky = {
      status: 'answered' as const,
      queryId: query.payload.queryId,
      siteId: 'site-a',
      queryHash: query.payload.queryHash,
      dataVersion: 'v1',
      result: { kind: 'count' as const, protectedCount: 40 },
      rawCount: 43,
    };
    expect(() => buildResultEnvelope(query, leaky, 'site-a', new Date(), signerOf(TEST_SITE_KEY))).toThrow();
  });
});
