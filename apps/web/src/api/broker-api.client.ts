import type {
  BlacklistList,
  CreateSavedQueryRequestInput,
  DevSignInRequest,
  DevSignInResponse,
  QueryList,
  QueryResult,
  QueryStatus,
  QuotaUsage,
  SavedQuery,
  SavedQueryList,
  SiteStateList,
  StructuredQueryLike,
  SubmitQueryResponse,
  TerminologyEntry,
  TerminologySearchResponse,
  UpdateSavedQueryRequestInput,
  WebConfig,
} from './api-types';
import { problemOf } from './api-problem';
import { readQueryEvents, type QueryStreamEvent } from './query-events.stream';

/** Which page of the query history to read: an admin's `all` lists every user's queries (narrowed by `user`). */
export interface QueryListRequest {
  limit?: number;
  cursor?: string;
  all?: boolean;
  user?: string;
  status?: QueryStatus;
  since?: string;
}

/** Supplies the bearer token of the signed-in user, or null. */
export type TokenSource = () => string | null;

/**
 * The broker's HTTP API as the page uses it: same origin, JSON bodies, the bearer token in the Authorization header
 * (never in a URL), failures as ApiProblemError.
 */
export class BrokerApi {
  constructor(
    private readonly token: TokenSource,
    private readonly base = '',
    /** Called when the broker refuses the token (401): expired or revoked; the page signs out. */
    private readonly onUnauthorized: () => void = () => undefined,
  ) {}

  /** How to sign in; public. */
  webConfig(): Promise<WebConfig> {
    return this.request<WebConfig>('GET', '/api/v1/web-config', undefined, false);
  }

  /** A token of the development issuer (demo only). */
  devSignIn(request: DevSignInRequest): Promise<DevSignInResponse> {
    return this.request<DevSignInResponse>('POST', '/api/v1/dev-issuer/sign-in', request, false);
  }

  /** Who the token belongs to and what is left of the quotas. */
  quota(): Promise<QuotaUsage> {
    return this.request<QuotaUsage>('GET', '/api/v1/quota');
  }

  /** Catalog entries matching `q` (code or words), best first, optionally of one context. */
  searchTerminology(q: string, options: { context?: string; limit?: number } = {}): Promise<TerminologySearchResponse> {
    const params = new URLSearchParams({ q, limit: String(options.limit ?? 30) });
    if (options.context !== undefined) {
      params.set('context', options.context);
    }
    return this.request<TerminologySearchResponse>('GET', `/api/v1/terminology/search?${params.toString()}`);
  }

  /** One catalog entry with its parents, children, supported filters and bare CCDL criterion. */
  terminologyEntry(id: string): Promise<TerminologyEntry> {
    return this.request<TerminologyEntry>('GET', `/api/v1/terminology/entries/${encodeURIComponent(id)}`);
  }

  /** Submits a query: its id and the warnings it was accepted with. */
  submitQuery(query: StructuredQueryLike): Promise<SubmitQueryResponse> {
    return this.request<SubmitQueryResponse>('POST', '/api/v1/queries', query);
  }

  /** A query with its result as it stands (read once: the broker limits how often). */
  query(id: string): Promise<QueryResult> {
    return this.request<QueryResult>('GET', `/api/v1/queries/${encodeURIComponent(id)}`);
  }

  /** One page of the query history, newest first. */
  listQueries(request: QueryListRequest = {}): Promise<QueryList> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(request)) {
      if (value !== undefined && value !== '') {
        params.set(key, String(value));
      }
    }
    const search = params.toString();
    return this.request<QueryList>('GET', `/api/v1/queries${search === '' ? '' : `?${search}`}`);
  }

  listSavedQueries(): Promise<SavedQueryList> {
    return this.request<SavedQueryList>('GET', '/api/v1/saved-queries');
  }

  savedQuery(id: string): Promise<SavedQuery> {
    return this.request<SavedQuery>('GET', `/api/v1/saved-queries/${encodeURIComponent(id)}`);
  }

  createSavedQuery(body: CreateSavedQueryRequestInput): Promise<SavedQuery> {
    return this.request<SavedQuery>('POST', '/api/v1/saved-queries', body);
  }

  updateSavedQuery(id: string, changes: UpdateSavedQueryRequestInput): Promise<SavedQuery> {
    return this.request<SavedQuery>('PATCH', `/api/v1/saved-queries/${encodeURIComponent(id)}`, changes);
  }

  deleteSavedQuery(id: string): Promise<void> {
    return this.request<void>('DELETE', `/api/v1/saved-queries/${encodeURIComponent(id)}`);
  }

  /** Every blacklisted user (admins only). */
  blacklist(): Promise<BlacklistList> {
    return this.request<BlacklistList>('GET', '/api/v1/admin/blacklist');
  }

  liftBlacklist(userId: string): Promise<void> {
    return this.request<void>('DELETE', `/api/v1/admin/blacklist/${encodeURIComponent(userId)}`);
  }

  /** The network's sites and their last heartbeats. */
  sites(): Promise<SiteStateList> {
    return this.request<SiteStateList>('GET', '/api/v1/sites');
  }

  /** The live events of a query, read with fetch so that the token travels in a header; ends with the query. */
  queryEvents(id: string, onEvent: (event: QueryStreamEvent) => void, signal: AbortSignal): Promise<void> {
    return readQueryEvents(
      `${this.base}/api/v1/queries/${encodeURIComponent(id)}/events`,
      this.headers(true),
      onEvent,
      signal,
    );
  }

  private headers(authenticated: boolean): Record<string, string> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    const token = authenticated ? this.token() : null;
    if (token !== null) {
      headers.Authorization = `Bearer ${token}`;
    }
    return headers;
  }

  private async request<T>(method: string, path: string, body?: unknown, authenticated = true): Promise<T> {
    const headers = this.headers(authenticated);
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit',
      cache: 'no-store',
    });
    if (!response.ok) {
      if (response.status === 401 && authenticated) {
        this.onUnauthorized();
      }
      throw await problemOf(response);
    }
    if (response.status === 204) {
      // A 204 (a delete) has no body; its callers expect nothing.
      return undefined as T;
    }
    return (await response.json()) as T;
  }
}
