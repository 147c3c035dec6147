import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  MAX_SAVED_QUERIES_PER_USER,
  type SavedQuery,
  type SavedQueryList,
  type UpdateSavedQueryRequest,
} from '@fq/contracts';
import { BrokerError } from '../broker.errors';
import { CLOCK, type Clock } from '../clock';
import type { Caller } from '../identity/caller';
import { SavedQueriesRepository, type SavedQueryRefusal } from './saved-queries.repository';
import type { SavedQueryDraft } from './saved-query-body.pipe';

/** The answer for a saved query the caller does not own: another user's is as unknown as a missing one. */
export function savedQueryNotFoundError(): BrokerError {
  return new BrokerError('BROKER_SAVED_QUERY_NOT_FOUND', 'there is no saved query with this id for this caller');
}

/** A researcher's saved queries: create, list, read, rename or comment, delete; always the caller's own. */
@Injectable()
export class SavedQueriesService {
  private readonly logger = new Logger('SavedQueries');

  constructor(
    private readonly repository: SavedQueriesRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Stores a new saved query for the caller. */
  async create(draft: SavedQueryDraft, caller: Caller): Promise<SavedQuery> {
    const stored = await this.repository.insert(
      { id: randomUUID(), ownerId: caller.id, ...draft, at: this.clock.now().toISOString() },
      MAX_SAVED_QUERIES_PER_USER,
    );
    if (!stored.ok) {
      throw refusalError(stored.error, draft.name);
    }
    this.logger.log({ message: 'query saved', savedQueryId: stored.value.id });
    return stored.value;
  }

  /** Every saved query of the caller, without its CCDL. */
  async list(caller: Caller): Promise<SavedQueryList> {
    return { items: await this.repository.list(caller.id), maxItems: MAX_SAVED_QUERIES_PER_USER };
  }

  /** One saved query of the caller, with its CCDL. */
  async get(id: string, caller: Caller): Promise<SavedQuery> {
    const saved = await this.repository.find(caller.id, id);
    if (saved === null) {
      throw savedQueryNotFoundError();
    }
    return saved;
  }

  /** Renames the caller's saved query or changes its comment. */
  async update(id: string, changes: UpdateSavedQueryRequest, caller: Caller): Promise<SavedQuery> {
    const updated = await this.repository.update(caller.id, id, { ...changes, at: this.clock.now().toISOString() });
    if (updated === null) {
      throw savedQueryNotFoundError();
    }
    if (!updated.ok) {
      throw refusalError(updated.error, changes.name ?? '');
    }
    return updated.value;
  }

  /** Deletes the caller's saved query. */
  async delete(id: string, caller: Caller): Promise<void> {
    if (!(await this.repository.delete(caller.id, id))) {
      throw savedQueryNotFoundError();
    }
  }
}

function refusalError(refusal: SavedQueryRefusal, name: string): BrokerError {
  return refusal === 'limit-reached'
    ? new BrokerError(
        'BROKER_SAVED_QUERY_LIMIT_REACHED',
        `a user may keep at most ${MAX_SAVED_QUERIES_PER_USER} saved queries; delete one to save another`,
      )
    : new BrokerError('BROKER_SAVED_QUERY_NAME_TAKEN', `you already have a saved query named ${JSON.stringify(name)}`, {
        issues: [{ path: '$.name', code: 'BROKER_SAVED_QUERY_NAME_TAKEN', message: 'the name is already taken' }],
      });
}
