/** Bearer tokens of the broker's development issuer for the demo's researcher and admin, and the issuer's key file. */
export interface DemoTokens {
  researcher: string;
  admin: string;
  keyFile: string;
}

/**
 * What the demo prints once the network is up: where the web page and the API docs are, then ready-to-paste requests
 * for API users that submit one query, read it and watch it (one submission of the three a minute allows).
 */
export function exampleRequests(brokerUrl: string, queryFile: string, tokens: DemoTokens): string {
  const api = `${brokerUrl}/api/v1`;
  return [
    '',
    `The network is ready: broker ${brokerUrl}, three site agents, NATS JetStream.`,
    '',
    `  Web page:  ${brokerUrl}/   (open it in a browser and sign in with one click)`,
    `  API docs:  ${brokerUrl}/api/docs   (try the API there; the OpenAPI document is ${brokerUrl}/api/docs/openapi.json)`,
    '',
    'For the HTTP API, try (in another terminal):',
    '',
    '  # every request carries a bearer token; this one is the demo researcher (valid 12 h; mint more with',
    `  # \`npm run broker -- token --user alice --role researcher --key-file ${tokens.keyFile}\`)`,
    `  TOKEN=${tokens.researcher}`,
    '',
    '  # submit the example query once (type 2 diabetes, HbA1c > 7 %, adults, no cancer) and keep its id; the answer',
    '  # is {"id":"…","warnings":[…]}, and every submission counts against your quota of 3 queries a minute',
    `  ID=$(curl -s -X POST ${api}/queries -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' --data @${queryFile} | node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8")).id'); echo $ID`,
    '',
    '  # read it: status, total and per-site protected counts (sites under pseudonyms; at most one read per 10 s)',
    `  curl -s ${api}/queries/$ID -H "Authorization: Bearer $TOKEN"`,
    '',
    '  # watch the answers arrive as server-sent events: site-result per site (progress only, no figures while the',
    '  # final result might hide them), then completed with the result; reading and watching spend no quota',
    `  curl -N ${api}/queries/$ID/events -H "Authorization: Bearer $TOKEN"`,
    '',
    '  # your quota: 3 queries a minute, 50 a week before an admin must lift a blacklisting',
    `  curl -s ${api}/quota -H "Authorization: Bearer $TOKEN"`,
    '',
    '  # the same result as an admin, with real site names',
    `  curl -s ${api}/queries/$ID -H 'Authorization: Bearer ${tokens.admin}'`,
    '',
    '  # the registered sites and their heartbeats',
    `  curl -s ${api}/sites`,
    '',
    'The raw request, for any HTTP client:',
    '',
    `  POST ${api}/queries`,
    `  Authorization: Bearer ${tokens.researcher}`,
    '  Content-Type: application/json',
    '',
    'Press Ctrl-C to stop everything.',
    '',
  ].join('\n');
}
