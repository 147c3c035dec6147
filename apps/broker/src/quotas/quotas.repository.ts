import { Inject, Injectable } from '@nestjs/common';
import { BROKER_DATABASE, type BrokerDatabase } from '../persistence/broker-database';

/** A researcher's blacklist row: listed since `blacklistedAt` (null once lifted); `liftedAt` is the last lift. */
export interface BlacklistState {
  blacklistedAt: string | null;
  liftedAt: string | null;
}

/** What the quotas count and keep: submissions (the `queries` rows themselves), the blacklist and result reads. */
@Injectable()
export class QuotasRepository {
  constructor(@Inject(BROKER_DATABASE) private readonly db: BrokerDatabase) {}

  /**
   * When the user submitted queries after `since` (ISO-8601 UTC), oldest first. A sliding window excludes its start;
   * counting from a lift (`inclusive`) includes a submission in the lift's own millisecond.
   */
  async submissionTimesSince(userId: string, since: string, inclusive = false): Promise<string[]> {
    const rows = await this.db
      .selectFrom('queries')
      .select('created_at')
      .where('requester_id', '=', userId)
      .where('created_at', inclusive ? '>=' : '>', since)
      .orderBy('created_at', 'asc')
      .execute();
    return rows.map((row) => row.created_at);
  }

  /** The user's blacklist row, or null if they were never blacklisted. */
  async findBlacklistState(userId: string): Promise<BlacklistState | null> {
    const row = await this.db
      .selectFrom('user_blacklist')
      .select(['blacklisted_at', 'lifted_at'])
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row === undefined ? null : { blacklistedAt: row.blacklisted_at, liftedAt: row.lifted_at };
  }

  /** Blacklists the user from `at` on; an existing listing keeps its original time. */
  async blacklist(userId: string, at: string): Promise<void> {
    await this.db
      .insertInto('user_blacklist')
      .values({ user_id: userId, blacklisted_at: at, lifted_at: null, lifted_by: null })
      .onConflict((oc) =>
        oc.column('user_id').doUpdateSet((eb) => ({
          blacklisted_at: eb.fn.coalesce('user_blacklist.blacklisted_at', eb.val(at)),
        })),
      )
      .execute();
  }

  /** Lifts the user's blacklisting; false if they were not blacklisted. */
  async lift(userId: string, at: string, by: string): Promise<boolean> {
    const updated = await this.db
      .updateTable('user_blacklist')
      .set({ blacklisted_at: null, lifted_at: at, lifted_by: by })
      .where('user_id', '=', userId)
      .where('blacklisted_at', 'is not', null)
      .executeTakeFirst();
    return Number(updated.numUpdatedRows) > 0;
  }

  /**
   * Records that the user reads the query's result at `at`, unless their last read was after `since` and not after
   * `at`; returns null when recorded, otherwise the last read. One upsert; a refused read costs a second select.
   */
  async recordResultRead(userId: string, queryId: string, at: string, since: string): Promise<string | null> {
    const recorded = await this.db
      .insertInto('result_reads')
      .values({ user_id: userId, query_id: queryId, read_at: at })
      .onConflict((oc) =>
        oc
          .columns(['user_id', 'query_id'])
          .doUpdateSet((eb) => ({ read_at: eb.ref('excluded.read_at') }))
          // A clock that went back does not lock anybody out.
          .where((eb) => eb.or([eb('result_reads.read_at', '<=', since), eb('result_reads.read_at', '>', at)])),
      )
      .returning('read_at')
      .executeTakeFirst();
    if (recorded !== undefined) {
      return null;
    }
    const last = await this.db
      .selectFrom('result_reads')
      .select('read_at')
      .where('user_id', '=', userId)
      .where('query_id', '=', queryId)
      .executeTakeFirst();
    // Swept between the two statements: nothing limits this read any more.
    return last?.read_at ?? null;
  }

  /** Forgets result reads at or before `before`; they no longer limit anything. */
  async deleteResultReadsBefore(before: string): Promise<number> {
    const deleted = await this.db.deleteFrom('result_reads').where('read_at', '<=', before).executeTakeFirst();
    return Number(deleted.numDeletedRows);
  }

  /** Every blacklisted user, longest listed first. */
  async listBlacklisted(): Promise<Array<{ userId: string; blacklistedAt: string }>> {
    const rows = await this.db
      .selectFrom('user_blacklist')
      .select(['user_id', 'blacklisted_at'])
      .where('blacklisted_at', 'is not', null)
      .orderBy('blacklisted_at', 'asc')
      .orderBy('user_id', 'asc')
      .execute();
    return rows.flatMap((row) =>
      row.blacklisted_at === null ? [] : [{ userId: row.user_id, blacklistedAt: row.blacklisted_at }],
    );
  }
}
