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

  it('points to the web page and the API docs first', () => {
    const lines = text.split('\n');
    const page = lines.findIndex((line) => line.includes('Web page:  http://localhost:3000/ '));
    const docs = lines.findIndex((line) => line.includes('API docs:  http://localhost:3000/api/docs '));
    const firstCurl = lines.findIndex((line) => line.includes('curl '));
    expect(page).toBeGreaterThan(0);
    expect(docs).toBeGreaterThan(page);
    expect(firstCurl).toBeGreaterThan(docs);
  });

  it('submits the query once and reads and watches it by the id it kept', () => {
    const lines = text.split('\n');
    const submits = lines.filter((line) => line.includes('-X POST'));
    expect(submits).toHaveLength(1);
    expect(submits[0]).toMatch(
      /^ {2}ID=\$\(curl -s -X POST http:\/\/localhost:3000\/api\/v1\/queries .*--data @docs\/examples\/q\.json/,
    );
    const submitAt = lines.indexOf(submits[0]);
    const uses = lines.filter((line) => line.includes('/queries/$ID'));
    expect(uses.length).toBeGreaterThanOrEqual(2);
    expect(uses.every((line) => lines.indexOf(line) > submitAt)).toBe(true);
  });
});
