import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { FhirSourceSettings } from '../../config/fhir-source.schema';
import {
  type BulkDataManifest,
  clip,
  describeOperationOutcome,
  OperationOutcome,
  parseManifest,
} from './bulk-data.schema';
import type { FhirAuthorizer } from './fhir-auth';
import { describeCause, describeUrl, type FhirHttp, type FhirResponse, retryAfterMs } from './fhir-http';
import { FhirServerError } from './fhir-server.errors';
import { ContentDigest, writeNdjsonFile } from './ndjson-file.writer';

/** What the client tells the operator while it works (the source turns these into log lines). */
export type FhirSourceEvent =
  | { kind: 'kicked-off'; statusUrl: string }
  | { kind: 'progress'; progress: string }
  | { kind: 'retry'; step: string; reason: string; delayMs: number }
  | { kind: 'server-errors'; count: number; samples: string[] }
  | { kind: 'job-deleted'; status: number | null };

export interface ExportRequest {
  /** The resource types the mapping reads (`_type`). */
  types: readonly string[];
  /** Only changes after this instant (`_since`): an incremental export. */
  since: string | null;
}

/** A finished download: files written into `dir`, with what identifies their content. */
export interface DownloadedExport {
  transactionTime: string;
  files: string[];
  deletedFiles: string[];
  digest: ContentDigest;
  /** Lines of the server's error files (OperationOutcome), counted; they never fail the export. */
  serverErrors: number;
}

/** Polling waits: at least a second, at most five minutes, whatever a server's Retry-After says. */
const MIN_POLL_MS = 1000;
const MAX_POLL_MS = 300_000;
const MAX_ERROR_SAMPLES = 10;
/** OperationOutcome issue codes a server uses for "try again later" (FHIR IssueType `transient` and its children). */
const TRANSIENT_CODES = new Set([
  'transient',
  'lock-error',
  'no-store',
  'exception',
  'timeout',
  'incomplete',
  'throttled',
]);

type Settings = Pick<FhirSourceSettings, 'baseUrl' | 'exportLevel' | 'groupId' | 'parallelDownloads'>;

/**
 * A FHIR Bulk Data Access client (`$export`, asynchronous request pattern): kick-off with `Prefer: respond-async`, polling
 * the status URL as `Retry-After` asks, the manifest, bounded parallel NDJSON downloads streamed to files, the error
 * files reported, and the job deleted at the end whether it succeeded or not.
 */
export class BulkExportClient {
  constructor(
    private readonly settings: Settings,
    private readonly http: FhirHttp,
    private readonly auth: FhirAuthorizer,
    private readonly onEvent: (event: FhirSourceEvent) => void,
  ) {}

  /** Runs one export into `dir`; `signal` bounds it (the export timeout, a shutdown). */
  async export(request: ExportRequest, dir: string, signal: AbortSignal): Promise<DownloadedExport> {
    const statusUrl = await this.kickOff(request, signal);
    this.onEvent({ kind: 'kicked-off', statusUrl: describeUrl(statusUrl) });
    try {
      const manifest = await this.poll(statusUrl, signal);
      return await this.download(manifest, dir, signal);
    } finally {
      await this.deleteJob(statusUrl);
    }
  }

  /** The kick-off URL of the configured level, with `_type`, `_since` and the NDJSON output format. */
  kickOffUrl(request: ExportRequest): string {
    const { baseUrl, exportLevel, groupId } = this.settings;
    const path =
      exportLevel === 'system'
        ? '$export'
        : exportLevel === 'patient'
          ? 'Patient/$export'
          : `Group/${encodeURIComponent(groupId ?? '')}/$export`;
    const query = new URLSearchParams({ _outputFormat: 'application/fhir+ndjson' });
    if (request.types.length > 0) {
      query.set('_type', request.types.join(','));
    }
    if (request.since !== null) {
      query.set('_since', request.since);
    }
    return `${baseUrl}/${path}?${query.toString()}`;
  }

  private async kickOff(request: ExportRequest, signal: AbortSignal): Promise<string> {
    const url = this.kickOffUrl(request);
    const response = await this.authorized(
      url,
      { headers: { accept: 'application/fhir+json', prefer: 'respond-async' }, signal },
      'kick-off',
    );
    if (response.status !== 202) {
      throw await httpError('FHIR_SERVER_EXPORT_FAILED', `the $export kick-off`, response);
    }
    await response.body.dump();
    const location = response.headers['content-location'];
    if (location === undefined || location.trim() === '') {
      throw new FhirServerError(
        'FHIR_SERVER_RESPONSE_INVALID',
        'the $export kick-off answered 202 without Content-Location',
      );
    }
    return resolveUrl(location.trim(), url);
  }

  private async poll(statusUrl: string, signal: AbortSignal): Promise<BulkDataManifest> {
    let wait = 2000;
    let failures = 0;
    let lastProgress: string | null = null;
    for (;;) {
      let response: FhirResponse;
      try {
        response = await this.authorizedOnce(statusUrl, { headers: { accept: 'application/json' }, signal });
      } catch (error) {
        if (!(error instanceof FhirServerError) || error.code !== 'FHIR_SERVER_UNREACHABLE') {
          throw error;
        }
        failures = this.countFailure(failures, error.message);
        await this.waitToPoll('status', error.message, wait, signal);
        continue;
      }
      if (response.status === 200) {
        const body = await readJson(response, 'the export manifest');
        const manifest = parseManifest(body);
        if (!manifest.ok) {
          throw new FhirServerError('FHIR_SERVER_RESPONSE_INVALID', manifest.error);
        }
        return manifest.value;
      }
      const retryAfter = retryAfterMs(response.headers['retry-after'], Date.now());
      if (response.status === 202) {
        await response.body.dump();
        failures = 0;
        const progress = response.headers['x-progress'];
        if (progress !== undefined && progress !== lastProgress) {
          lastProgress = progress;
          this.onEvent({ kind: 'progress', progress: clip(progress, 100) });
        }
        await this.sleep(retryAfter ?? wait, signal);
        wait = Math.min(60_000, Math.round(wait * 1.5));
        continue;
      }
      const text = await response.body.text().catch(() => '');
      if (response.status === 429 || (response.status >= 500 && isTransient(text))) {
        failures = this.countFailure(failures, `HTTP ${response.status}`);
        await this.waitToPoll('status', `HTTP ${response.status}`, retryAfter ?? wait, signal);
        continue;
      }
      throw errorFromBody('FHIR_SERVER_EXPORT_FAILED', 'the export job', response.status, text);
    }
  }

  private countFailure(failures: number, reason: string): number {
    if (failures + 1 >= this.http.retry.attempts) {
      throw new FhirServerError('FHIR_SERVER_EXPORT_FAILED', `polling the export failed repeatedly, last: ${reason}`);
    }
    return failures + 1;
  }

  private async waitToPoll(step: string, reason: string, ms: number, signal: AbortSignal): Promise<void> {
    const delayMs = clamp(ms);
    this.onEvent({ kind: 'retry', step, reason, delayMs });
    await this.http.sleep(delayMs, signal);
  }

  private sleep(ms: number, signal: AbortSignal): Promise<void> {
    return this.http.sleep(clamp(ms), signal);
  }

  private async download(manifest: BulkDataManifest, dir: string, signal: AbortSignal): Promise<DownloadedExport> {
    const base = new URL(this.settings.baseUrl);
    const withToken = manifest.requiresAccessToken;
    for (const file of [...manifest.output, ...manifest.error, ...manifest.deleted]) {
      // The access token goes to the FHIR server's origin only, never to a host a manifest names.
      if (withToken && new URL(file.url).origin !== base.origin) {
        throw new FhirServerError(
          'FHIR_SERVER_RESPONSE_INVALID',
          `the manifest asks for the access token at another origin (${new URL(file.url).origin}); refused`,
        );
      }
    }
    const digest = new ContentDigest();
    const outputs = manifest.output.map((file, i) => ({
      ...file,
      name: `${String(i).padStart(5, '0')}-${file.type}.ndjson.gz`,
    }));
    const deleted = manifest.deleted.map((file, i) => ({
      ...file,
      name: `deleted-${String(i).padStart(5, '0')}.ndjson.gz`,
    }));
    const jobs = [
      ...outputs.map((file) => () => this.downloadFile(file.url, join(dir, file.name), withToken, digest, signal)),
      ...deleted.map(
        (file) => () => this.downloadFile(file.url, join(dir, file.name), withToken, new ContentDigest(), signal),
      ),
    ];
    await runBounded(jobs, this.settings.parallelDownloads);
    const serverErrors = await this.readErrorFiles(manifest, withToken, signal);
    return {
      transactionTime: manifest.transactionTime,
      files: outputs.map((file) => file.name),
      deletedFiles: deleted.map((file) => file.name),
      digest,
      serverErrors,
    };
  }

  /** Downloads one NDJSON file, starting over (up to the retry limit) when the connection breaks or the file is cut. */
  private async downloadFile(
    url: string,
    path: string,
    withToken: boolean,
    digest: ContentDigest,
    signal: AbortSignal,
  ): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const response = withToken
        ? await this.authorized(url, { headers: { accept: 'application/fhir+ndjson' }, signal }, 'download')
        : await this.http.sendWithRetries(url, { headers: { accept: 'application/fhir+ndjson' }, signal }, (why, ms) =>
            this.onEvent({ kind: 'retry', step: 'download', reason: why, delayMs: ms }),
          );
      if (response.status !== 200) {
        throw await httpError('FHIR_SERVER_EXPORT_FAILED', `the download of ${describeUrl(url)}`, response);
      }
      try {
        await writeNdjsonFile(response.body, path, digest, describeUrl(url), signal);
        return;
      } catch (error) {
        if (signal.aborted || attempt >= this.http.retry.attempts) {
          throw error instanceof FhirServerError
            ? error
            : new FhirServerError('FHIR_SERVER_FILE_TRUNCATED', `${describeUrl(url)}: ${describeCause(error)}`, {
                cause: error,
              });
        }
        const delayMs = this.http.backoff(attempt);
        this.onEvent({ kind: 'retry', step: 'download', reason: describeCause(error), delayMs });
        await this.http.sleep(delayMs, signal);
      }
    }
  }

  /** Reads the error files (OperationOutcome per line) and reports their count and first issues. */
  private async readErrorFiles(manifest: BulkDataManifest, withToken: boolean, signal: AbortSignal): Promise<number> {
    let count = 0;
    const samples: string[] = [];
    for (const file of manifest.error) {
      const headers = { accept: 'application/fhir+ndjson' };
      const response = withToken
        ? await this.authorized(file.url, { headers, signal }, 'error file')
        : await this.http.sendWithRetries(file.url, { headers, signal });
      if (response.status !== 200) {
        await response.body.dump();
        samples.push(`error file ${describeUrl(file.url)} unreadable: HTTP ${response.status}`);
        count++;
        continue;
      }
      // Streamed line by line: an error file may be as large as any other.
      for await (const line of createInterface({ input: response.body, crlfDelay: Infinity })) {
        if (line.trim() === '') {
          continue;
        }
        count++;
        if (samples.length < MAX_ERROR_SAMPLES) {
          let value: unknown;
          try {
            value = JSON.parse(line);
          } catch {
            value = undefined;
          }
          samples.push(describeOperationOutcome(value) ?? clip(`unreadable issue: ${line}`, 200));
        }
      }
    }
    if (count > 0) {
      this.onEvent({ kind: 'server-errors', count, samples });
    }
    return count;
  }

  /** Deletes the job (its files may then go); a failure here is reported, never thrown. */
  private async deleteJob(statusUrl: string): Promise<void> {
    try {
      const response = await this.authorizedOnce(statusUrl, { method: 'DELETE', signal: AbortSignal.timeout(30_000) });
      await response.body.dump();
      this.onEvent({ kind: 'job-deleted', status: response.status });
    } catch {
      this.onEvent({ kind: 'job-deleted', status: null });
    }
  }

  /** A request with retries and the Authorization header, asking for a new token once after a 401. */
  private async authorized(
    url: string,
    options: { headers: Record<string, string>; signal: AbortSignal; method?: 'GET' | 'DELETE' },
    step: string,
  ): Promise<FhirResponse> {
    const send = async (): Promise<FhirResponse> =>
      this.http.sendWithRetries(
        url,
        { ...options, headers: await this.headers(options.headers, options.signal) },
        (why, ms) => this.onEvent({ kind: 'retry', step, reason: why, delayMs: ms }),
      );
    return this.againOnUnauthorized(send);
  }

  /** One request with the Authorization header (a 401 gets a new token and one more try); no other retries. */
  private async authorizedOnce(
    url: string,
    options: { headers?: Record<string, string>; signal: AbortSignal; method?: 'GET' | 'DELETE' },
  ): Promise<FhirResponse> {
    const send = async (): Promise<FhirResponse> =>
      this.http.send(url, { ...options, headers: await this.headers(options.headers ?? {}, options.signal) });
    return this.againOnUnauthorized(send);
  }

  /** Sends; on a 401 drops the token (the server may have revoked it) and sends once more with a new one. */
  private async againOnUnauthorized(send: () => Promise<FhirResponse>): Promise<FhirResponse> {
    const response = await send();
    if (response.status !== 401) {
      return response;
    }
    await response.body.dump();
    this.auth.invalidate();
    return send();
  }

  private async headers(headers: Record<string, string>, signal: AbortSignal): Promise<Record<string, string>> {
    const authorization = await this.auth.authorization(signal);
    return authorization === null ? headers : { ...headers, authorization };
  }
}

/** Runs `jobs` with at most `limit` at a time; the first failure stops new starts and is thrown once all settle. */
export async function runBounded(jobs: ReadonlyArray<() => Promise<void>>, limit: number): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | null = null;
  const worker = async (): Promise<void> => {
    while (failure === null && next < jobs.length) {
      const job = jobs[next++];
      try {
        await job();
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  if (failure !== null) {
    throw (failure as { error: unknown }).error;
  }
}

function clamp(ms: number): number {
  return Math.min(MAX_POLL_MS, Math.max(MIN_POLL_MS, ms));
}

function resolveUrl(location: string, base: string): string {
  try {
    const url = new URL(location, base);
    if (url.protocol === 'http:' || url.protocol === 'https:') {
      return url.href;
    }
  } catch {
    // reported below
  }
  throw new FhirServerError(
    'FHIR_SERVER_RESPONSE_INVALID',
    'the $export kick-off gave a Content-Location that is no http(s) URL',
  );
}

async function readJson(response: FhirResponse, what: string): Promise<unknown> {
  const text = await response.body.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new FhirServerError('FHIR_SERVER_RESPONSE_INVALID', `${what} is not JSON: ${clip(text.trim(), 120)}`);
  }
}

/** Whether a 5xx status body says "try later": a transient OperationOutcome, or none at all (a proxy's page). */
function isTransient(text: string): boolean {
  const parsed = OperationOutcome.safeParse(parseJson(text));
  if (!parsed.success) {
    return true;
  }
  return (parsed.data.issue ?? []).some((issue) => issue.code !== undefined && TRANSIENT_CODES.has(issue.code));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

async function httpError(
  code: 'FHIR_SERVER_EXPORT_FAILED',
  what: string,
  response: FhirResponse,
): Promise<FhirServerError> {
  return errorFromBody(code, what, response.status, await response.body.text().catch(() => ''));
}

function errorFromBody(code: 'FHIR_SERVER_EXPORT_FAILED', what: string, status: number, text: string): FhirServerError {
  const reason = describeOperationOutcome(parseJson(text)) ?? (clip(text.trim(), 200) || '(empty body)');
  return new FhirServerError(
    status === 401 || status === 403 ? 'FHIR_SERVER_AUTH_FAILED' : code,
    `${what} answered HTTP ${status}: ${reason}`,
  );
}
