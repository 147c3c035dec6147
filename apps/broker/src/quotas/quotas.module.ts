import { Module } from '@nestjs/common';
import { BlacklistHttpController, QuotaHttpController } from './quotas.http.controller';
import { QuotasRepository } from './quotas.repository';
import { QuotasService } from './quotas.service';

/** Submission quotas, the result polling limit, the blacklist and their HTTP endpoints. */
@Module({
  controllers: [QuotaHttpController, BlacklistHttpController],
  providers: [QuotasRepository, QuotasService],
  exports: [QuotasService],
})
export class QuotasModule {}
