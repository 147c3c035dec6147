import { Module } from '@nestjs/common';
import { BlacklistHttpController, QuotaHttpController } from './quotas.http.controller';
import { QuotasRepository } from './quotas.repository';
import { QuotasService } from './quotas.service';
import { SiteBudgetsRepository } from './site-budgets.repository';
import { SiteBudgetsService } from './site-budgets.service';

/** Submission quotas, the result polling limit, the blacklist, the sites' budget reports and their HTTP endpoints. */
@Module({
  controllers: [QuotaHttpController, BlacklistHttpController],
  providers: [QuotasRepository, QuotasService, SiteBudgetsRepository, SiteBudgetsService],
  exports: [QuotasService, SiteBudgetsService],
})
export class QuotasModule {}
