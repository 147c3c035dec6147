import fc from 'fast-check';
import { describeOperationOutcome, parseManifest } from './bulk-data.schema';
import { deletedKeysOf, resourceKeyOf } from './export-merge';
import { retryAfterMs } from './fhir-http';

const VALID = {
  transactionTime: '2026-03-01T10:00:00.123+01:00',
  request: 'https://fhir.example.org/fhir/$export?_type=Patient',
  requiresAccessToken: true,
  output: [{ type: 'Patient', url: 'https://fhir.example.org/files/1.ndjson', count: 3 }],
  error: [],
};

describe('parseManifest', () => {
  it('accepts a manifest as the Bulk Data IG shows it, with fields it does not read', () => {
    const parsed = parseManifest({ ...VALID, extension: { 'http://example.org/x': 1 }, deleted: [] });
    expect(parsed).toMatchObject({ ok: true, value: { output: VALID.output, deleted: [], error: [] } });
  });

  it('never throws on any JSON value, and accepts none without an instant, a flag and http(s) file URLs', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const parsed = parseManifest(value);
        const sound = parsed.ok
          ? typeof parsed.value.requiresAccessToken === 'boolean' &&
            [...parsed.value.output, ...parsed.value.error, ...parsed.value.deleted].every((file) =>
              ['http:', 'https:'].includes(new URL(file.url).protocol),
            )
          : parsed.error.startsWith('the export manifest');
        expect(sound).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses file URLs of other schemes and type names that are no resource type', () => {
    const hostileUrl = fc.oneof(
      fc.constantFrom('file:///etc/passwd', 'javascript:alert(1)', 'ftp://x/y', '../../state/seed', ''),
      fc.string().filter((text) => !/^https?:\/\//.test(text)),
    );
    fc.assert(
      fc.property(hostileUrl, (url) => {
        expect(parseManifest({ ...VALID, output: [{ type: 'Patient', url }] }).ok).toBe(false);
      }),
    );
    const hostileType = fc.constantFrom('../Patient', 'Patient/../../x', 'patient', '', 'A'.repeat(100), 'Pat ient');
    fc.assert(
      fc.property(hostileType, (type) => {
        expect(parseManifest({ ...VALID, output: [{ type, url: 'https://x.org/1' }] }).ok).toBe(false);
      }),
    );
  });

  it('lists every problem of a broken manifest and refuses paged ones', () => {
    const parsed = parseManifest({ transactionTime: 'yesterday', output: 'all of it' });
    expect(parsed.ok ? '' : parsed.error).toMatch(/\$\.transactionTime.*\$\.requiresAccessToken.*\$\.output/);
    const paged = parseManifest({ ...VALID, link: [{ relation: 'next', url: 'https://x.org/page2' }] });
    expect(paged.ok ? '' : paged.error).toMatch(/paged/);
  });
});

describe('describeOperationOutcome', () => {
  it('says the first issues of an OperationOutcome, and null for anything else, without throwing', () => {
    expect(
      describeOperationOutcome({
        resourceType: 'OperationOutcome',
        issue: [{ severity: 'error', code: 'too-costly', diagnostics: 'export too large' }],
      }),
    ).toBe('error too-costly export too large');
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = describeOperationOutcome(value);
        expect(text === null || text.length <= 501).toBe(true);
      }),
    );
  });
});

describe('retryAfterMs', () => {
  it('reads delay-seconds and HTTP-dates, and nothing else', () => {
    const now = Date.parse('2026-03-01T10:00:00Z');
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs('Sun, 01 Mar 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Sun, 01 Mar 2026 09:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs(undefined, now)).toBeNull();
    fc.assert(
      fc.property(fc.string(), (text) => {
        const ms = retryAfterMs(text, now);
        expect(ms === null || (Number.isFinite(ms) && ms >= 0)).toBe(true);
      }),
    );
  });
});

describe('the keys an incremental export changes', () => {
  it('reads Type/id of resource lines and of DELETE entries, and ignores anything else', () => {
    expect(resourceKeyOf('{"resourceType":"Patient","id":"p1"}')).toBe('Patient/p1');
    expect(
      deletedKeysOf(
        JSON.stringify({
          resourceType: 'Bundle',
          type: 'transaction',
          entry: [
            { request: { method: 'DELETE', url: 'Patient/p1' } },
            { request: { method: 'DELETE', url: 'https://fhir.example.org/fhir/Condition/c-2' } },
            { request: { method: 'PUT', url: 'Patient/p3' } },
          ],
        }),
      ),
    ).toEqual(['Patient/p1', 'Condition/c-2']);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.jsonValue().map((value) => JSON.stringify(value)),
        ),
        (line) => {
          const key = resourceKeyOf(line);
          expect(key === null || key.includes('/')).toBe(true);
          for (const deleted of deletedKeysOf(line)) {
            expect(deleted).toMatch(/^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}$/);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
