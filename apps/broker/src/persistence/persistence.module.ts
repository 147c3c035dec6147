import { Module } from '@nestjs/common';
import { BrokerSecretsRepository } from './broker-secrets.repository';
import { QueriesRepository } from './queries.repository';

/** Repositories over the database that BrokerModule opens (BROKER_DATABASE). */
@Module({
  providers: [QueriesRepository, BrokerSecretsRepository],
  exports: [QueriesRepository, BrokerSecretsRepository],
})
export class PersistenceModule {}
