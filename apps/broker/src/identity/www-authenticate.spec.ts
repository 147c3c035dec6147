import { validateHeaderValue } from 'node:http';
import fc from 'fast-check';
import { bearerChallenge, quotedString } from './www-authenticate';

// The same grammar the hostile-token suite checks responses against (RFC 9110 §11.6.1, RFC 6750 §3).
const TCHAR = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]";
const QUOTED_STRING = '"(?:[\\t \\x21\\x23-\\x5b\\x5d-\\x7e]|\\\\[\\t \\x21-\\x7e])*"';
const AUTH_PARAM = `${TCHAR}+=(?:${TCHAR}+|${QUOTED_STRING})`;
const BEARER_CHALLENGE = new RegExp(`^Bearer(?: ${AUTH_PARAM}(?:[ \\t]*,[ \\t]*${AUTH_PARAM})*)?$`);

const anyText = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({ unit: fc.constantFrom('"', '\\', '’', '\u0000', '\r', '\n', '\t', 'a', ' ', 'é') }),
);

describe('bearerChallenge', () => {
  it('builds the challenges the broker sends', () => {
    expect(bearerChallenge()).toBe('Bearer realm="fq-broker"');
    expect(bearerChallenge('insufficient_scope')).toBe('Bearer realm="fq-broker", error="insufficient_scope"');
    expect(bearerChallenge('invalid_token', 'the token’s "sub" is C:\\x')).toBe(
      'Bearer realm="fq-broker", error="invalid_token", error_description="the token\'s \'sub\' is C:/x"',
    );
  });

  it('is a valid header and an RFC 6750 challenge for any description', () => {
    fc.assert(
      fc.property(anyText, (description) => {
        const header = bearerChallenge('invalid_token', description);
        expect(() => validateHeaderValue('WWW-Authenticate', header)).not.toThrow();
        expect(header).toMatch(BEARER_CHALLENGE);
        const value = /error_description="([^"]*)"/.exec(header)?.[1] ?? '';
        expect(value).toMatch(/^[\x20\x21\x23-\x5b\x5d-\x7e]*$/);
        expect(value.length).toBeLessThanOrEqual(256);
      }),
      { numRuns: 500 },
    );
  });
});

describe('quotedString', () => {
  it('escapes quotes and backslashes and replaces what a header cannot carry', () => {
    expect(quotedString('a"b\\c\u00e9\n')).toBe('"a\\"b\\\\c??"');
  });

  it('is an RFC 9110 quoted-string for any text', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        expect(quotedString(text)).toMatch(new RegExp(`^${QUOTED_STRING}$`));
      }),
      { numRuns: 500 },
    );
  });
});
