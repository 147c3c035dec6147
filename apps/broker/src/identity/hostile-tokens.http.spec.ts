import fc from 'fast-check';
import { SignJWT } from 'jose';
import { ProblemDetails } from '@fq/contracts';
import request from 'supertest';
import { startIdentityProvider, type TestIdentityProvider } from '../__fixtures__/identity-provider';
import { startSqliteTestBroker, type TestBroker } from '../__fixtures__/test-broker';

// RFC 9110 §11.6.1 / §5.6: one challenge `Bearer` with auth-params whose values are tokens or quoted-strings (no
// obs-text: the broker has no reason to send any), and RFC 6750 §3's narrower set for error_description.
const TCHAR = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]";
const QUOTED_STRING = '"(?:[\\t \\x21\\x23-\\x5b\\x5d-\\x7e]|\\\\[\\t \\x21-\\x7e])*"';
const AUTH_PARAM = `${TCHAR}+=(?:${TCHAR}+|${QUOTED_STRING})`;
const BEARER_CHALLENGE = new RegExp(`^Bearer(?: ${AUTH_PARAM}(?:[ \\t]*,[ \\t]*${AUTH_PARAM})*)?$`);
const RFC6750_DESCRIPTION = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const USABLE_USER_ID = /^[\x21-\x7e]{1,128}$/;

// Hundreds of signed tokens and requests per property; generous for a busy machine.
jest.setTimeout(120_000);
let broker: TestBroker;
let idp: TestIdentityProvider;

beforeAll(async () => {
  idp = await startIdentityProvider();
  broker = await startSqliteTestBroker({
    BROKER_AUTH_ISSUER: idp.issuer,
    BROKER_AUTH_AUDIENCE: 'feasibility-webapp',
    BROKER_AUTH_CLOCK_TOLERANCE_SECONDS: '30',
  });
});

afterAll(async () => {
  await broker.close();
  await idp.close();
});

function nowSeconds(): number {
  return Math.floor(broker.clock.now().getTime() / 1000);
}

/** A token signed by the trusted provider with exactly `claims` (whatever their types) on top of valid defaults. */
function signedToken(claims: Record<string, unknown>): Promise<string> {
  const now = nowSeconds();
  // The constructor takes the claims as they are; the setters would refuse odd types.
  return new SignJWT({
    iss: idp.issuer,
    aud: 'feasibility-webapp',
    sub: 'kc-user-1',
    iat: now,
    exp: now + 300,
    realm_access: { roles: ['FeasibilityUser'] },
    ...claims,
  })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .sign(idp.key);
}

/** Asserts a valid RFC 9110 / RFC 6750 challenge, and returns its error_description if any. */
function expectValidChallenge(header: unknown): void {
  expect(typeof header).toBe('string');
  const value = header as string;
  expect(value).toMatch(BEARER_CHALLENGE);
  const description = /error_description="([^"]*)"/.exec(value);
  if (description !== null) {
    expect(description[1]).toMatch(RFC6750_DESCRIPTION);
  }
}

async function call(token: string): Promise<request.Response> {
  return request(broker.url).get('/api/v1/quota').set('Authorization', `Bearer ${token}`);
}

function expectRefusal(response: request.Response, status: number, code?: string): void {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
  const problem = ProblemDetails.parse(response.body);
  if (code !== undefined) {
    expect(problem.code).toBe(code);
  }
  expectValidChallenge(response.headers['www-authenticate']);
}

/** 200, or a refusal with problem details, `code` (if given) and a valid challenge (`invalid_token` for a 401). */
function expectAnswer(response: request.Response, status: number, code?: string): void {
  if (status === 200) {
    expect(response.status).toBe(200);
    return;
  }
  expectRefusal(response, status, code);
  if (status === 401) {
    expect(response.headers['www-authenticate']).toContain('error="invalid_token"');
  }
}

const hostileSubject = fc.oneof(
  fc.constantFrom('', ' ', 'alice smith', ' alice', 'alice\t', 'x'.repeat(129), 'ü', 'Zoë', '’', '"', '\\', '\u0000'),
  fc.constantFrom('a"b', 'a\\b', 'line\nbreak', '\r\n', 'null\u0000byte', '\u007f', '\u00a0', '日本', '😀', 'a’b'),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ minLength: 129, maxLength: 300 }),
  fc.string({ unit: fc.constantFrom('a', ' ', '"', '\\', '\t', 'é', '\u0001'), maxLength: 20 }),
);

const oddValue = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
);

describe('hostile bearer tokens', () => {
  it('answers every validly signed subject with 200 if it is a usable user id and 401 otherwise, never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(hostileSubject, async (sub) => {
        const response = await call(await signedToken({ sub }));
        expectAnswer(response, USABLE_USER_ID.test(sub) ? 200 : 401, 'BROKER_TOKEN_SUBJECT_INVALID');
      }),
      { numRuns: 200 },
    );
  });

  it('answers claims of any type with 200, 401 or 403 and a valid WWW-Authenticate, never 5xx', async () => {
    const claimName = fc.constantFrom('sub', 'exp', 'iat', 'nbf', 'aud', 'iss', 'realm_access', 'jti', 'azp');
    await fc.assert(
      fc.asyncProperty(fc.dictionary(claimName, oddValue, { minKeys: 1, maxKeys: 4 }), async (claims) => {
        const response = await call(await signedToken(claims));
        expect([200, 401, 403]).toContain(response.status);
        expectAnswer(response, response.status);
      }),
      { numRuns: 200 },
    );
  });

  it('gives each kind of token-content problem its own code', async () => {
    const now = nowSeconds();
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ sub: 'a b' }, 401, 'BROKER_TOKEN_SUBJECT_INVALID'],
      [{ sub: 42 }, 401, 'BROKER_TOKEN_SUBJECT_INVALID'],
      [{ exp: 'tomorrow' }, 401, 'BROKER_TOKEN_CLAIM_INVALID'],
      [{ aud: 'another-app' }, 401, 'BROKER_TOKEN_CLAIM_INVALID'],
      [{ iat: 'yesterday' }, 401, 'BROKER_TOKEN_CLAIM_INVALID'],
      [{ nbf: now + 3600 }, 401, 'BROKER_TOKEN_NOT_YET_VALID'],
      [{ iat: now + 86_400, exp: now + 90_000 }, 401, 'BROKER_TOKEN_ISSUED_IN_FUTURE'],
      [{ exp: now - 120 }, 401, 'BROKER_TOKEN_EXPIRED'],
      [{ iss: 'https://evil.example' }, 401, 'BROKER_TOKEN_INVALID'],
      [{ realm_access: { roles: ['offline_access'] } }, 403, 'BROKER_ROLE_FORBIDDEN'],
    ];
    for (const [claims, status, code] of cases) {
      expectRefusal(await call(await signedToken(claims)), status, code);
    }
  });

  it('refuses a token issued 24 hours in the future and accepts one issued within the clock tolerance', async () => {
    const now = nowSeconds();
    const future = await call(await signedToken({ iat: now + 86_400, exp: now + 86_400 + 300 }));
    expectRefusal(future, 401, 'BROKER_TOKEN_ISSUED_IN_FUTURE');
    expect(future.headers['www-authenticate']).toContain('error="invalid_token"');
    expectRefusal(await call(await signedToken({ iat: now + 31 })), 401, 'BROKER_TOKEN_ISSUED_IN_FUTURE');
    expect((await call(await signedToken({ iat: now + 29 }))).status).toBe(200);
  });
});
