import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openEventStream } from './sse.http-client';

describe('openEventStream', () => {
  let server: Server;
  let respond: (response: ServerResponse) => void;
  let url: string;

  beforeEach(async () => {
    server = createServer((_request, response) => respond(response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
  });

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('parses ids, event names, multi-line data and skips comments and frames without data', async () => {
    respond = (response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      // Split across chunks and with CRLF, as proxies may deliver it.
      response.write(': keep-alive\n\nid: 1\nevent: site-result\ndata: {"a":');
      response.write('1}\r\n\r\ndata: line one\ndata: line two\n\nid: 7\n\n');
      response.end('event: completed\ndata:final\n\n');
    };
    const stream = await openEventStream(url);
    expect(stream.response.statusCode).toBe(200);
    expect(await stream.ended).toEqual([
      { id: '1', event: 'site-result', data: '{"a":1}' },
      { id: undefined, event: 'message', data: 'line one\nline two' },
      { id: undefined, event: 'completed', data: 'final' },
    ]);
  });

  it('resolves waitForEvent when the event arrives, while the stream is still open', async () => {
    let open: ServerResponse | undefined;
    respond = (response) => {
      open = response;
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('event: site-result\ndata: 1\n\n');
      setTimeout(() => response.write('event: completed\ndata: 2\n\n'), 100);
    };
    const stream = await openEventStream(url);
    const final = await stream.waitForEvent((event) => event.event === 'completed', 5_000);
    expect(final.data).toBe('2');
    expect(open?.writableEnded).toBe(false);
    stream.close();
    await expect(stream.ended).resolves.toHaveLength(2);
  });

  it('rejects waitUntil when the stream ends before the condition holds', async () => {
    respond = (response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.end('event: site-result\ndata: 1\n\n');
    };
    const stream = await openEventStream(url);
    await expect(stream.waitUntil((events) => events.length > 1, 5_000)).rejects.toThrow(/the stream ended before/);
  });

  it('rejects ended when the server cuts the connection off', async () => {
    respond = (response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('event: site-result\ndata: 1\n\n');
      setTimeout(() => response.destroy(), 50);
    };
    const stream = await openEventStream(url);
    await expect(stream.ended).rejects.toThrow();
    expect(stream.events).toHaveLength(1);
  });
});
