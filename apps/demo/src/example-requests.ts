/** The ready-to-paste requests the demo prints once the network is up: submit, read, watch, sites. */
export function exampleRequests(brokerUrl: string, queryFile: string): string {
  const api = `${brokerUrl}/api/v1`;
  return [
    '',
    `The network is ready: broker ${brokerUrl}, three site agents, NATS JetStream. Try (in another terminal):`,
    '',
    '  # submit the example query (type 2 diabetes, HbA1c > 7 %, adults, no cancer); the answer is {"id":"…"}',
    `  curl -s -X POST ${api}/queries -H 'content-type: application/json' --data @${queryFile}`,
    '',
    '  # or keep the id for the next requests',
    `  ID=$(curl -s -X POST ${api}/queries -H 'content-type: application/json' --data @${queryFile} | sed -E 's/.*"id":"([^"]+)".*/\\1/')`,
    '',
    '  # the result: status, total and per-site protected counts (sites under pseudonyms)',
    `  curl -s ${api}/queries/$ID`,
    '',
    '  # the same as an admin, with real site names (development identity headers)',
    `  curl -s ${api}/queries/$ID -H 'X-Researcher-Id: demo-admin' -H 'X-Researcher-Role: admin'`,
    '',
    '  # watch the answers arrive as server-sent events (site-result per site, then completed)',
    `  curl -N ${api}/queries/$ID/events`,
    '',
    '  # the registered sites and their heartbeats',
    `  curl -s ${api}/sites`,
    '',
    'Press Ctrl-C to stop everything.',
    '',
  ].join('\n');
}
