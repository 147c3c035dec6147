import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { FhirSourceSettings } from '../../config/fhir-source.schema';
import { clip, describeOperationOutcome, SearchBundle, summarizeIssues } from './bulk-data.schema';
import type { FhirSourceEvent, DownloadedExport } from './bulk-export.client';
import type { FhirAuthorizer } from './fhir-auth';
import { describeUrl, type FhirHttp, type FhirResponse } from './fhir-http';
import { FhirServerError } from './fhir-server.errors';
import { ContentDigest, writeNdjsonFile } from './ndjson-file.writer';

/** The most pages one type may have; a server whose `next` links never end is broken (or hostile). */
const MAX_PAGES = 1_000_000;

type Settings = Pick<FhirSourceSettings, 'baseUrl' | 'pageSize'>;

/**
 * Reads a FHIR server without `$export`: one paged search per resource type (`_count`), following the Bundle's `next`
 * links, each page's resources streamed as NDJSON lines into one file per type.
 */
export class FhirSearchClient {
  constructor(
    private readonly settings: Settings,
    private readonly http: FhirHttp,
    private readonly auth: FhirAuthorizer,
    private readonly onEvent: (event: FhirSourceEvent) => void,
  ) {}

  async read(types: readonly string[], dir: string, signal: AbortSignal): Promise<DownloadedExport> {
    const transactionTime = new Date().toISOString();
    const digest = new ContentDigest();
    const files: string[] = [];
    for (const [index, type] of types.entries()) {
      const name = `${String(index).padStart(5, '0')}-${type}.ndjson.gz`;
      const first = `${this.settings.baseUrl}/${type}?${new URLSearchParams({ _count: String(this.settings.pageSize) }).toString()}`;
      await writeNdjsonFile(
        Readable.from(this.pages(first, signal)),
        join(dir, name),
        digest,
        `${type} search`,
        signal,
      );
      files.push(name);
    }
    return { transactionTime, files, deletedFiles: [], digest, serverErrors: 0 };
  }

  /** The resources of every page as NDJSON lines; a page is fetched only when the file has taken the one before. */
  private async *pages(first: string, signal: AbortSignal): AsyncGenerator<string> {
    const base = new URL(this.settings.baseUrl);
    const seen = new Set<string>();
    let url: string | null = first;
    for (let page = 0; url !== null; page++) {
      if (page >= MAX_PAGES || seen.has(url)) {
        throw new FhirServerError(
          'FHIR_SERVER_RESPONSE_INVALID',
          `the search's next links loop or never end (${describeUrl(url)})`,
        );
      }
      seen.add(url);
      const bundle = await this.fetchPage(url, signal);
      for (const entry of bundle.entry ?? []) {
        // `include` and `outcome` entries are not results of this search.
        if (entry.resource !== undefined && (entry.search?.mode ?? 'match') === 'match') {
          yield `${JSON.stringify(entry.resource)}\n`;
        }
      }
      const next = bundle.link?.find((link) => link.relation === 'next')?.url;
      url = next === undefined ? null : sameOrigin(next, url, base);
    }
  }

  private async fetchPage(url: string, signal: AbortSignal): Promise<SearchBundle> {
    let response = await this.send(url, signal);
    if (response.status === 401) {
      await response.body.dump();
      this.auth.invalidate();
      response = await this.send(url, signal);
    }
    const text = await response.body.text();
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = undefined;
    }
    if (response.status !== 200) {
      const reason = describeOperationOutcome(value) ?? (clip(text.trim(), 200) || '(empty body)');
      throw new FhirServerError(
        response.status === 401 || response.status === 403 ? 'FHIR_SERVER_AUTH_FAILED' : 'FHIR_SERVER_HTTP_ERROR',
        `the search ${describeUrl(url)} answered HTTP ${response.status}: ${reason}`,
      );
    }
    const parsed = SearchBundle.safeParse(value);
    if (!parsed.success) {
      throw new FhirServerError(
        'FHIR_SERVER_RESPONSE_INVALID',
        `the search ${describeUrl(url)} gave no searchset Bundle: ${summarizeIssues(parsed.error.issues)}`,
      );
    }
    return parsed.data;
  }

  private async send(url: string, signal: AbortSignal): Promise<FhirResponse> {
    const authorization = await this.auth.authorization(signal);
    const headers: Record<string, string> = { accept: 'application/fhir+json' };
    if (authorization !== null) {
      headers.authorization = authorization;
    }
    return this.http.sendWithRetries(url, { headers, signal }, (why, delayMs) =>
      this.onEvent({ kind: 'retry', step: 'search', reason: why, delayMs }),
    );
  }
}

/** A `next` link, resolved; the credentials go to the server's own origin only. */
function sameOrigin(next: string, current: string, base: URL): string {
  let url: URL;
  try {
    url = new URL(next, current);
  } catch {
    throw new FhirServerError('FHIR_SERVER_RESPONSE_INVALID', 'a search Bundle has a next link that is no URL');
  }
  if (url.origin !== base.origin) {
    throw new FhirServerError(
      'FHIR_SERVER_RESPONSE_INVALID',
      `a search Bundle's next link leaves the server (${url.origin}); refused`,
    );
  }
  return url.href;
}
