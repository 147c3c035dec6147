import { randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { jwtVerify } from 'jose';

/** A FHIR resource as the double stores it; it sets `meta.lastUpdated` itself. */
export type StoredResource = { resourceType: string; id: string; [key: string]: unknown };

/** The endpoints a fault can hit. */
export type FaultTarget = 'kick-off' | 'status' | 'file' | 'error-file' | 'token' | 'search' | 'delete';

/**
 * A fault the next `times` requests to `at` get instead of (or on top of) the normal answer: an HTTP status (with
 * `Retry-After` and an OperationOutcome issue code), a body cut off halfway (`truncate`), or a slow answer (`delayMs`).
 */
export interface Fault {
  at: FaultTarget;
  status?: number;
  retryAfter?: string;
  /** The OperationOutcome issue code of a status fault (`transient` asks the client to try again). */
  issueCode?: string;
  truncate?: boolean;
  delayMs?: number;
  times?: number;
}

/** A SMART Backend Services client the double accepts: its id and the public key its assertions verify with. */
export interface RegisteredClient {
  clientId: string;
  publicKey: KeyObject;
  /** Access-token lifetime (seconds); default 300. */
  tokenLifetimeSeconds?: number;
}

export interface FhirServerDoubleOptions {
  /** Requests need a Bearer token from the token endpoint; the manifest then says requiresAccessToken. */
  client?: RegisteredClient;
  /** How many status polls answer 202 before the manifest (default 2). */
  pollsBeforeDone?: number;
  /** Resources per NDJSON file (default 50): several files per type exercise parallel downloads. */
  resourcesPerFile?: number;
  /** Whether the server offers `$export` (default true); without it, clients must search. */
  bulkExport?: boolean;
  /** Serve HTTPS with this certificate and key (PEM), e.g. from a test CA. */
  tls?: { cert: string; key: string };
}

/** One request as the double saw it, for assertions on what the client sent. */
export interface SeenRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
}

interface Job {
  id: string;
  transactionTime: string;
  polls: number;
  files: Array<{ type: string; lines: string[] }>;
  deleted: string[];
  errors: string[];
  deletedByClient: boolean;
}

const FHIR_JSON = 'application/fhir+json';

/**
 * A FHIR server on loopback that implements what the site agent reads, as the specifications say: the Bulk Data
 * `$export` kick-off (system, Patient, Group), status polling with `X-Progress` and `Retry-After`, the manifest, NDJSON
 * file downloads, job deletion, the SMART Backend Services token endpoint (client assertions verified with jose), and
 * paged search. Faults are injected per endpoint. A conformance double for tests, not a FHIR server.
 */
export class FhirServerDouble {
  readonly requests: SeenRequest[] = [];
  readonly deletedJobs: string[] = [];
  private readonly resources = new Map<string, { resource: StoredResource; updated: number }>();
  private readonly tombstones = new Map<string, number>();
  private readonly jobs = new Map<string, Job>();
  private readonly tokens = new Map<string, number>();
  private readonly usedAssertionIds = new Set<string>();
  private readonly faults: Fault[] = [];
  private lastTime = 0;
  private readonly pendingErrors: string[] = [];

  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
    private readonly options: FhirServerDoubleOptions,
  ) {}

  /** Starts the double on a free loopback port; its base URL ends in `/fhir`. */
  static async start(options: FhirServerDoubleOptions = {}): Promise<FhirServerDouble> {
    const server = options.tls === undefined ? createServer() : createTlsServer(options.tls);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const scheme = options.tls === undefined ? 'http' : 'https';
    const double = new FhirServerDouble(server, `${scheme}://127.0.0.1:${port}/fhir`, options);
    server.on('request', (req, res) => {
      double.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) {
          double.outcome(res, 500, 'exception', `double failed: ${String(error)}`);
        } else {
          res.destroy();
        }
      });
    });
    return double;
  }

  get tokenUrl(): string {
    return `${this.baseUrl}/token`;
  }

  /** Adds or replaces resources (a new `meta.lastUpdated`). */
  put(...resources: StoredResource[]): void {
    for (const resource of resources) {
      const updated = this.tick();
      const stored = { ...resource, meta: { lastUpdated: new Date(updated).toISOString() } };
      this.resources.set(`${resource.resourceType}/${resource.id}`, { resource: stored, updated });
      this.tombstones.delete(`${resource.resourceType}/${resource.id}`);
    }
  }

  /** Deletes resources by `Type/id`; `_since` exports list them as deleted. */
  delete(...keys: string[]): void {
    for (const key of keys) {
      if (this.resources.delete(key)) {
        this.tombstones.set(key, this.tick());
      }
    }
  }

  inject(fault: Fault): void {
    this.faults.push({ times: 1, ...fault });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Makes every access token issued so far expired: the next request with one gets 401. */
  expireTokens(): void {
    for (const token of this.tokens.keys()) {
      this.tokens.set(token, 0);
    }
  }

  /** The requests to one kind of endpoint, by path prefix after the base (`$export`, `bulk-status`, `token`, …). */
  seen(prefix: string): SeenRequest[] {
    return this.requests.filter((request) => request.path.startsWith(`/fhir/${prefix}`));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private tick(): number {
    // Strictly increasing: a change is always after the transactionTime of an export that did not include it.
    this.lastTime = Math.max(Date.now(), this.lastTime + 1);
    return this.lastTime;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    this.requests.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
    });
    const path = url.pathname.replace(/^\/fhir/, '');
    if (path === '/.well-known/smart-configuration') {
      const configuration = { token_endpoint: this.tokenUrl, grant_types_supported: ['client_credentials'] };
      return this.json(res, 200, configuration, 'application/json');
    }
    if (path === '/token' && req.method === 'POST') {
      return (await this.fault('token', res)) ? undefined : this.token(req, res);
    }
    if (this.options.client !== undefined && !this.authorized(req)) {
      return this.outcome(res, 401, 'login', 'a valid access token is required');
    }
    const exportMatch = /^\/(?:(Patient)\/|Group\/([A-Za-z0-9\-.]+)\/)?\$export$/.exec(path);
    if (exportMatch !== null && req.method === 'GET' && this.options.bulkExport !== false) {
      return (await this.fault('kick-off', res)) ? undefined : this.kickOff(req, res, url);
    }
    const statusMatch = /^\/bulk-status\/([\w-]+)$/.exec(path);
    if (statusMatch !== null) {
      if (req.method === 'DELETE') {
        return (await this.fault('delete', res)) ? undefined : this.deleteJob(res, statusMatch[1]);
      }
      return (await this.fault('status', res)) ? undefined : this.status(res, statusMatch[1]);
    }
    const fileMatch = /^\/bulk-files\/([\w-]+)\/(output|deleted|error)\/(\d+)$/.exec(path);
    if (fileMatch !== null) {
      const target = fileMatch[2] === 'error' ? 'error-file' : 'file';
      const fault = this.takeFault(target);
      if (fault !== null && (await this.applyFault(fault, res))) {
        return;
      }
      return this.file(res, fileMatch[1], fileMatch[2], Number(fileMatch[3]), fault?.truncate === true);
    }
    const searchMatch = /^\/([A-Z][A-Za-z]+)$/.exec(path);
    if (searchMatch !== null && req.method === 'GET') {
      return (await this.fault('search', res)) ? undefined : this.search(res, searchMatch[1], url);
    }
    return this.outcome(res, 404, 'not-found', `no route for ${req.method ?? ''} ${url.pathname}`);
  }

  private kickOff(req: IncomingMessage, res: ServerResponse, url: URL): void {
    if (req.headers.prefer !== 'respond-async') {
      return this.outcome(res, 400, 'invalid', 'the Prefer header must be respond-async');
    }
    if (req.headers.accept !== FHIR_JSON) {
      return this.outcome(res, 400, 'invalid', `the Accept header must be ${FHIR_JSON}`);
    }
    const format = url.searchParams.get('_outputFormat');
    if (format !== null && !['application/fhir+ndjson', 'application/ndjson', 'ndjson'].includes(format)) {
      return this.outcome(res, 400, 'not-supported', `_outputFormat ${format} is not supported`);
    }
    const sinceText = url.searchParams.get('_since');
    const since = sinceText === null ? null : Date.parse(sinceText);
    if (since !== null && Number.isNaN(since)) {
      return this.outcome(res, 400, 'invalid', '_since must be a FHIR instant');
    }
    const types =
      url.searchParams
        .get('_type')
        ?.split(',')
        .filter((type) => type !== '') ?? null;
    const transactionTime = new Date(this.tick()).toISOString();
    const perFile = this.options.resourcesPerFile ?? 50;
    const byType = new Map<string, string[]>();
    for (const { resource, updated } of this.resources.values()) {
      if ((types === null || types.includes(resource.resourceType)) && (since === null || updated > since)) {
        const lines = byType.get(resource.resourceType) ?? [];
        lines.push(JSON.stringify(resource));
        byType.set(resource.resourceType, lines);
      }
    }
    const files: Job['files'] = [];
    for (const [type, lines] of [...byType].sort(([a], [b]) => a.localeCompare(b))) {
      for (let start = 0; start < lines.length; start += perFile) {
        files.push({ type, lines: lines.slice(start, start + perFile) });
      }
    }
    const deleted = [...this.tombstones]
      .filter(([key, at]) => since !== null && at > since && (types === null || types.includes(key.split('/')[0])))
      .map(([key]) =>
        JSON.stringify({
          resourceType: 'Bundle',
          id: randomUUID(),
          type: 'transaction',
          entry: [{ request: { method: 'DELETE', url: key } }],
        }),
      );
    const id = randomUUID();
    this.jobs.set(id, {
      id,
      transactionTime,
      polls: 0,
      files,
      deleted,
      errors: [...this.pendingErrors],
      deletedByClient: false,
    });
    res.writeHead(202, { 'content-location': `${this.baseUrl}/bulk-status/${id}` }).end();
  }

  private status(res: ServerResponse, id: string): void {
    const job = this.jobs.get(id);
    if (job === undefined || job.deletedByClient) {
      return this.outcome(res, 404, 'not-found', `no export job ${id}`);
    }
    const needed = this.options.pollsBeforeDone ?? 2;
    if (job.polls < needed) {
      job.polls++;
      res.writeHead(202, { 'x-progress': `${Math.round((job.polls / (needed + 1)) * 100)}% done`, 'retry-after': '1' });
      res.end();
      return;
    }
    const files = (kind: 'output' | 'deleted' | 'error', list: ReadonlyArray<{ type: string }>) =>
      list.map((file, index) => ({ type: file.type, url: `${this.baseUrl}/bulk-files/${id}/${kind}/${index}` }));
    this.json(res, 200, {
      transactionTime: job.transactionTime,
      request: `${this.baseUrl}/$export`,
      requiresAccessToken: this.options.client !== undefined,
      output: files('output', job.files).map((file, index) => ({ ...file, count: job.files[index].lines.length })),
      deleted: job.deleted.length === 0 ? [] : files('deleted', [{ type: 'Bundle' }]),
      error: job.errors.length === 0 ? [] : files('error', [{ type: 'OperationOutcome' }]),
    });
  }

  /** Makes the exports kicked off from now on report `issues` in an error file (OperationOutcome per line). */
  reportErrors(...issues: string[]): void {
    this.pendingErrors.push(...issues);
  }

  private deleteJob(res: ServerResponse, id: string): void {
    const job = this.jobs.get(id);
    if (job === undefined || job.deletedByClient) {
      return this.outcome(res, 404, 'not-found', `no export job ${id}`);
    }
    job.deletedByClient = true;
    this.deletedJobs.push(id);
    res.writeHead(202).end();
  }

  private file(res: ServerResponse, id: string, kind: string, index: number, truncate: boolean): void {
    const job = this.jobs.get(id);
    const lines =
      kind === 'output'
        ? job?.files[index]?.lines
        : kind === 'deleted'
          ? job?.deleted
          : job?.errors.map((text) =>
              JSON.stringify({
                resourceType: 'OperationOutcome',
                issue: [{ severity: 'error', code: 'processing', diagnostics: text }],
              }),
            );
    if (job === undefined || job.deletedByClient || lines === undefined) {
      return this.outcome(res, 404, 'not-found', 'no such file');
    }
    const body = lines.map((line) => `${line}\n`).join('');
    res.writeHead(200, { 'content-type': 'application/fhir+ndjson', 'content-length': Buffer.byteLength(body) });
    if (truncate) {
      // Half the file, then the connection drops: what a crashing server or a proxy timeout looks like.
      res.write(body.slice(0, Math.floor(body.length / 2)));
      setTimeout(() => res.destroy(), 20);
      return;
    }
    res.end(body);
  }

  private search(res: ServerResponse, type: string, url: URL): void {
    const count = Math.max(1, Math.min(1000, Number(url.searchParams.get('_count') ?? '20') || 20));
    const page = Math.max(0, Number(url.searchParams.get('_page') ?? '0') || 0);
    const all = [...this.resources.values()]
      .map(({ resource }) => resource)
      .filter((resource) => resource.resourceType === type)
      .sort((a, b) => a.id.localeCompare(b.id));
    const slice = all.slice(page * count, (page + 1) * count);
    const link = [{ relation: 'self', url: url.href }];
    if ((page + 1) * count < all.length) {
      link.push({ relation: 'next', url: `${this.baseUrl}/${type}?_count=${count}&_page=${page + 1}` });
    }
    this.json(res, 200, {
      resourceType: 'Bundle',
      type: 'searchset',
      total: all.length,
      link,
      entry: slice.map((resource) => ({
        fullUrl: `${this.baseUrl}/${type}/${resource.id}`,
        resource,
        search: { mode: 'match' },
      })),
    });
  }

  private async token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const client = this.options.client;
    const form = new URLSearchParams(await readBody(req));
    const fail = (error: string, description: string): void =>
      this.json(res, 400, { error, error_description: description }, 'application/json');
    if (client === undefined) {
      return fail('unauthorized_client', 'this server registers no clients');
    }
    if (form.get('grant_type') !== 'client_credentials') {
      return fail('unsupported_grant_type', 'grant_type must be client_credentials');
    }
    if (form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') {
      return fail('invalid_request', 'client_assertion_type must be jwt-bearer');
    }
    const scope = form.get('scope') ?? '';
    if (!/^system\//.test(scope)) {
      return fail('invalid_scope', 'a backend client asks for system/ scopes');
    }
    try {
      const { payload } = await jwtVerify(form.get('client_assertion') ?? '', client.publicKey, {
        issuer: client.clientId,
        subject: client.clientId,
        audience: this.tokenUrl,
        algorithms: ['RS384', 'ES384'],
        maxTokenAge: '5m',
        requiredClaims: ['jti', 'exp'],
      });
      if ((payload.exp ?? 0) - Math.floor(Date.now() / 1000) > 300) {
        return fail('invalid_client', 'the assertion lives longer than five minutes');
      }
      if (this.usedAssertionIds.has(String(payload.jti))) {
        return fail('invalid_client', 'the assertion jti was used before');
      }
      this.usedAssertionIds.add(String(payload.jti));
    } catch (error) {
      return fail('invalid_client', `the client assertion does not verify: ${String(error)}`);
    }
    const lifetime = client.tokenLifetimeSeconds ?? 300;
    const token = randomBytes(24).toString('base64url');
    this.tokens.set(token, Date.now() + lifetime * 1000);
    this.json(res, 200, { access_token: token, token_type: 'bearer', expires_in: lifetime, scope }, 'application/json');
  }

  private authorized(req: IncomingMessage): boolean {
    const match = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
    const expires = match === null ? undefined : this.tokens.get(match[1]);
    return expires !== undefined && expires > Date.now();
  }

  private takeFault(at: FaultTarget): Fault | null {
    const index = this.faults.findIndex((fault) => fault.at === at);
    if (index === -1) {
      return null;
    }
    const fault = this.faults[index];
    fault.times = (fault.times ?? 1) - 1;
    if (fault.times <= 0) {
      this.faults.splice(index, 1);
    }
    return fault;
  }

  /** Applies the next fault for `at`; true when it answered the request. */
  private async fault(at: FaultTarget, res: ServerResponse): Promise<boolean> {
    const fault = this.takeFault(at);
    return fault !== null && this.applyFault(fault, res);
  }

  private async applyFault(fault: Fault, res: ServerResponse): Promise<boolean> {
    if (fault.delayMs !== undefined) {
      await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    }
    if (fault.status === undefined) {
      return false;
    }
    if (fault.retryAfter !== undefined) {
      res.setHeader('retry-after', fault.retryAfter);
    }
    // `processing` is no transient code: a status fault without issueCode fails the job, as a crashed export does.
    this.outcome(
      res,
      fault.status,
      fault.issueCode ?? (fault.status === 429 ? 'throttled' : 'processing'),
      'injected fault',
    );
    return true;
  }

  private outcome(res: ServerResponse, status: number, code: string, diagnostics: string): void {
    this.json(res, status, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, diagnostics }] });
  }

  private json(res: ServerResponse, status: number, body: unknown, type = FHIR_JSON): void {
    res.writeHead(status, { 'content-type': type });
    res.end(JSON.stringify(body));
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
