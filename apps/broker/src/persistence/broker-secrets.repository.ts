import { Inject, Injectable } from '@nestjs/common';
import { BROKER_DATABASE, type BrokerDatabase } from './broker-database';

/** Secrets the broker generates once and keeps with its data, so pseudonyms stay stable across restarts. */
@Injectable()
export class BrokerSecretsRepository {
  constructor(@Inject(BROKER_DATABASE) private readonly db: BrokerDatabase) {}

  /** The secret stored under `name`; stores `create()` first if there is none (the first writer wins). */
  async getOrCreate(name: string, create: () => string): Promise<string> {
    await this.db
      .insertInto('broker_secrets')
      .values({ name, value: create() })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    const row = await this.db
      .selectFrom('broker_secrets')
      .select('value')
      .where('name', '=', name)
      .executeTakeFirstOrThrow();
    return row.value;
  }
}
