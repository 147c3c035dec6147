import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import type { QueryResult, QueryResultUpdate, SiteResultEvent } from '@fq/contracts';
import type { CliIo } from '../cli/cli-io';
import { runResearcherCli } from '../cli/researcher.cli';

/** A request the fake broker received. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: unknown;
}

/** What a route answers: a status, headers, and a JSON body or raw text (an event stream). */
export interface FakeAnswer {
  status: number;
  headers?: Record<string, string>;
  json?: unknown;
  text?: string;
}

/** A small HTTP server standing in for the broker: routes by "METHOD /path", records every request. */
export class FakeBroker {
  readonly requests: RecordedRequest[] = [];
  private readonly routes = new Map<string, (request: RecordedRequest) => FakeAnswer>();
  private server: Server | null = null;
  url = '';

  /** Answers `METHOD /path` (path without the query string) with `answer`. */
  on(route: string, answer: FakeAnswer | ((request: RecordedRequest) => FakeAnswer)): this {
    this.routes.set(route, typeof answer === 'function' ? answer : () => answer);
    return this;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) {
      chunks.push(chunk as Buffer);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://fake');
    const request: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: text === '' ? undefined : (JSON.parse(text) as unknown),
    };
    this.requests.push(request);
    const route = this.routes.get(`${request.method} ${request.path}`);
    const answer: FakeAnswer = route?.(request) ?? {
      status: 404,
      json: problem(404, 'BROKER_ROUTE_NOT_FOUND', 'no such route'),
    };
    const type =
      answer.text !== undefined
        ? 'text/event-stream'
        : answer.status >= 400
          ? 'application/problem+json'
          : 'application/json';
    res.writeHead(answer.status, { 'Content-Type': type, ...answer.headers });
    res.end(answer.text ?? (answer.json === undefined ? '' : JSON.stringify(answer.json)));
  }
}

/** An RFC 9457 body as the broker writes it. */
export function problem(status: number, code: string, detail: string, issues?: object[]): object {
  return {
    type: `urn:fq:problem:${code.toLowerCase()}`,
    title: 'Refused',
    status,
    detail,
    code,
    ...(issues ? { issues } : {}),
  };
}

export const QUERY_ID = '6f1c7a52-5a3e-4c1e-9d4f-2b0c3f6a7e11';

/** A query result of three sites; `answered` of them answered with 100 each. */
export function aResult(status: QueryResult['status'], answered: number): QueryResultUpdate {
  const sites = ['Site 1', 'Site 2', 'Site 3'].map((site, index) => ({
    site,
    status:
      index < answered ? ('answered' as const) : status === 'expired' ? ('expired' as const) : ('pending' as const),
    count: index < answered && status !== 'running' ? 100 : null,
  }));
  return {
    id: QUERY_ID,
    status,
    createdAt: '2026-03-02T09:00:00.000Z',
    expiresAt: '2026-03-02T09:01:00.000Z',
    finishedAt: status === 'running' ? null : '2026-03-02T09:00:30.000Z',
    total: status === 'running' ? null : answered * 100,
    totalHidden: status === 'running' ? 'query-running' : null,
    breakdownHidden: status === 'running' ? 'query-running' : null,
    reportedSites: status === 'expired' ? 3 : answered,
    totalSites: 3,
    sites,
    thresholds: { results: 20, sites: 3, sitesResult: 20 },
  };
}

/** The event stream of a query whose `answered` sites answer, then that `end`s. */
export function eventStream(answered: number, end: 'completed' | 'expired'): string {
  const events: string[] = [];
  for (let i = 1; i <= answered; i++) {
    const data: SiteResultEvent = { site: `Site ${i}`, status: 'answered', result: aResult('running', i) };
    events.push(`id: ${i}\nevent: site-result\ndata: ${JSON.stringify(data)}\n\n`);
  }
  events.push(`id: ${answered + 1}\nevent: ${end}\ndata: ${JSON.stringify(aResult(end, answered))}\n\n`);
  return events.join('');
}

/** A stream a test reads back; `isTTY` makes it look like a terminal. */
export function captureStream(isTTY: boolean): PassThrough & { isTTY: boolean; columns: number; text: () => string } {
  const stream = new PassThrough() as PassThrough & { isTTY: boolean; columns: number; text: () => string };
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.isTTY = isTTY;
  stream.columns = 100;
  stream.text = () => Buffer.concat(chunks).toString('utf8');
  return stream;
}

/** What one run of the CLI left behind. */
export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with its own streams and environment. */
export async function runFq(
  args: string[],
  options: { env: Record<string, string>; terminal?: boolean; stdin?: string; now?: Date },
): Promise<CliRun> {
  const stdout = captureStream(options.terminal === true);
  const stderr = captureStream(options.terminal === true);
  const stdin = new PassThrough() as PassThrough & { isTTY?: boolean };
  stdin.end(options.stdin ?? '');
  const io: CliIo = { stdout, stderr, stdin, env: options.env, now: () => options.now ?? new Date() };
  const exitCode = await runResearcherCli(args, io);
  // Let the streams hand over what was written last.
  await new Promise((resolve) => setImmediate(resolve));
  return { exitCode, stdout: stdout.text(), stderr: stderr.text() };
}

/** A random user id, so tests never share state by accident. */
export const someUser = (): string => `user-${randomUUID().slice(0, 8)}`;
