import { exampleRequests } from './example-requests';

describe('exampleRequests', () => {
  const text = exampleRequests('http://localhost:3000', 'docs/examples/q.json', {
    researcher: 'eyJ.researcher.sig',
    admin: 'eyJ.admin.sig',
    keyFile: '/srv/demo/broker/dev-issuer.jwk',
  });

  it('prints a ready-to-paste request with the demo researcher’s bearer token', () => {
    expect(text.split('\n')).toEqual(
      expect.arrayContaining([
        '  POST http://localhost:3000/api/v1/queries',
        '  Authorization: Bearer eyJ.researcher.sig',
        '  Content-Type: application/json',
      ]),
    );
  });

  it('tells how to mint more tokens with the demo issuer’s own key file', () => {
    expect(text).toContain(
      'npm run broker -- token --user alice --role researcher --key-file /srv/demo/broker/dev-issuer.jwk',
    );
  });

  it('sends the token with every curl that needs one and uses the admin token only for the admin view', () => {
    const curls = text.split('\n').filter((line) => line.includes('curl ') && !line.includes('/api/v1/sites'));
    expect(curls.length).toBeGreaterThan(4);
    for (const line of curls) {
      expect(line).toMatch(/Authorization: Bearer (\$TOKEN|eyJ\.admin\.sig)/);
    }
    expect(text.match(/eyJ\.admin\.sig/g)).toHaveLength(1);
  });
});
