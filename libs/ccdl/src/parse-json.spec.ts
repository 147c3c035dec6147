import fc from 'fast-check';
import { aQuery } from './__fixtures__/builders';
import { CcdlJsonError, CcdlValidationError } from './errors';
import { parseStructuredQueryJson } from './parse';

describe('parseStructuredQueryJson', () => {
  it('parses valid text', () => {
    const result = parseStructuredQueryJson(JSON.stringify(aQuery()));
    expect(result.ok && result.value.inclusionCriteria[0][0].termCodes[0].code).toBe('E11');
  });

  it('accepts text that starts with a byte-order mark', () => {
    expect(parseStructuredQueryJson(`\uFEFF${JSON.stringify(aQuery())}`).ok).toBe(true);
  });

  it('rejects text that is not JSON with CCDL_JSON_SYNTAX', () => {
    const result = parseStructuredQueryJson('{"inclusionCriteria": [[');
    const error = result.ok ? undefined : result.error;
    expect(error).toBeInstanceOf(CcdlJsonError);
    expect(error?.code).toBe('CCDL_JSON_SYNTAX');
    expect(error?.issues).toEqual([
      {
        path: '$',
        code: 'CCDL_JSON_SYNTAX',
        message: expect.stringMatching(/^the text is not valid JSON: /) as unknown,
      },
    ]);
    expect(error?.cause).toBeInstanceOf(SyntaxError);
  });

  it('reports validation issues for JSON that is not a valid query', () => {
    const result = parseStructuredQueryJson('{"inclusionCriteria": []}');
    expect(result.ok ? [] : result.error.issues.map((issue) => issue.code)).toEqual(['CCDL_TOO_SMALL']);
    expect(result.ok || result.error).toBeInstanceOf(CcdlValidationError);
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        expect(typeof parseStructuredQueryJson(text).ok).toBe('boolean');
      }),
    );
  });
});
