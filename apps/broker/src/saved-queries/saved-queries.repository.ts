import { Inject, Injectable } from '@nestjs/common';
import { StructuredQuery } from '@fq/ccdl';
import { SavedQuery, SavedQuerySummary } from '@fq/contracts';
import { err, ok, type Result } from '@fq/result';
import { PostgresAdapter, type Selectable, sql, type Transaction } from 'kysely';
import {
  BROKER_DATABASE,
  type BrokerDatabase,
  type BrokerTables,
  type SavedQueriesTable,
} from '../persistence/broker-database';

/** Why a saved query was not stored: the owner keeps the most allowed, or already uses the name. */
export type SavedQueryRefusal = 'limit-reached' | 'name-taken';

/** A new saved query as the service made it. */
export interface NewSavedQuery {
  id: string;
  ownerId: string;
  name: string;
  comment: string | null;
  query: StructuredQuery;
  at: string;
}

/** What a rename or a new comment changes; absent fields stay. */
export interface SavedQueryChanges {
  name?: string;
  comment?: string | null;
  at: string;
}

/**
 * Saved queries, each owned by one user: every read and write names the owner, so nobody reaches another's. A name is
 * unique per owner, and an owner keeps at most the given number.
 */
@Injectable()
export class SavedQueriesRepository {
  constructor(@Inject(BROKER_DATABASE) private readonly db: BrokerDatabase) {}

  /** Stores a saved query unless its owner already keeps `maxPerOwner` or uses its name. */
  async insert(saved: NewSavedQuery, maxPerOwner: number): Promise<Result<SavedQuery, SavedQueryRefusal>> {
    return this.db.transaction().execute(async (trx) => {
      await this.lockOwner(trx, saved.ownerId);
      const { count } = await trx
        .selectFrom('saved_queries')
        .select((eb) => eb.fn.countAll().as('count'))
        .where('owner_id', '=', saved.ownerId)
        .executeTakeFirstOrThrow();
      // PostgreSQL returns count(*) as a bigint string, SQLite as a number.
      if (Number(count) >= maxPerOwner) {
        return err('limit-reached' as const);
      }
      if (await this.nameTaken(trx, saved.ownerId, saved.name)) {
        return err('name-taken' as const);
      }
      const row: SavedQueriesTable = {
        id: saved.id,
        owner_id: saved.ownerId,
        name: saved.name,
        comment: saved.comment,
        query_json: JSON.stringify(saved.query),
        created_at: saved.at,
        updated_at: saved.at,
      };
      await trx.insertInto('saved_queries').values(row).execute();
      return ok(toSavedQuery(row));
    });
  }

  /** The owner's saved queries without their CCDL, most recently changed first (ties by name). */
  async list(ownerId: string): Promise<SavedQuerySummary[]> {
    const rows = await this.db
      .selectFrom('saved_queries')
      .select(['id', 'name', 'comment', 'created_at', 'updated_at'])
      .where('owner_id', '=', ownerId)
      .orderBy('updated_at', 'desc')
      .orderBy('name', 'asc')
      .execute();
    return rows.map((row) =>
      SavedQuerySummary.parse({
        id: row.id,
        name: row.name,
        comment: row.comment,
        createdAt: row.created_at,
        updatedAt: row.updated_at,
      }),
    );
  }

  /** The owner's saved query with this id, or null (also when it belongs to somebody else). */
  async find(ownerId: string, id: string): Promise<SavedQuery | null> {
    const row = await this.db
      .selectFrom('saved_queries')
      .selectAll()
      .where('owner_id', '=', ownerId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row === undefined ? null : toSavedQuery(row);
  }

  /** Renames or comments the owner's saved query; null when the owner has none with this id. */
  async update(
    ownerId: string,
    id: string,
    changes: SavedQueryChanges,
  ): Promise<Result<SavedQuery, 'name-taken'> | null> {
    return this.db.transaction().execute(async (trx) => {
      await this.lockOwner(trx, ownerId);
      const current = await trx
        .selectFrom('saved_queries')
        .selectAll()
        .where('owner_id', '=', ownerId)
        .where('id', '=', id)
        .executeTakeFirst();
      if (current === undefined) {
        return null;
      }
      if (changes.name !== undefined && changes.name !== current.name) {
        if (await this.nameTaken(trx, ownerId, changes.name)) {
          return err('name-taken' as const);
        }
      }
      const updated: SavedQueriesTable = {
        ...current,
        name: changes.name ?? current.name,
        comment: changes.comment === undefined ? current.comment : changes.comment,
        updated_at: changes.at,
      };
      await trx
        .updateTable('saved_queries')
        .set({ name: updated.name, comment: updated.comment, updated_at: updated.updated_at })
        .where('owner_id', '=', ownerId)
        .where('id', '=', id)
        .execute();
      return ok(toSavedQuery(updated));
    });
  }

  /** Deletes the owner's saved query; false when the owner has none with this id. */
  async delete(ownerId: string, id: string): Promise<boolean> {
    const deleted = await this.db
      .deleteFrom('saved_queries')
      .where('owner_id', '=', ownerId)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(deleted.numDeletedRows) > 0;
  }

  private async nameTaken(trx: Transaction<BrokerTables>, ownerId: string, name: string): Promise<boolean> {
    const row = await trx
      .selectFrom('saved_queries')
      .select('id')
      .where('owner_id', '=', ownerId)
      .where('name', '=', name)
      .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * Serialises one owner's writes, so two at once cannot both pass the count or the name check. SQLite runs one
   * transaction at a time on Kysely's single connection; PostgreSQL takes a transaction-scoped advisory lock on the
   * owner (the unique constraint on owner and name stays the last word on names).
   */
  private async lockOwner(trx: Transaction<BrokerTables>, ownerId: string): Promise<void> {
    if (this.db.getExecutor().adapter instanceof PostgresAdapter) {
      await sql`select pg_advisory_xact_lock(hashtext(${`saved-queries:${ownerId}`}))`.execute(trx);
    }
  }
}

// Rows are parsed like any outside input: a damaged row fails loudly here instead of in a client.
function toSavedQuery(row: Selectable<SavedQueriesTable>): SavedQuery {
  return SavedQuery.parse({
    id: row.id,
    name: row.name,
    comment: row.comment,
    query: JSON.parse(row.query_json) as unknown,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });
}
