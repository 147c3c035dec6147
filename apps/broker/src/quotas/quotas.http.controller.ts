import { Controller, Delete, Get, HttpCode, Param } from '@nestjs/common';
import type { BlacklistList, QuotaUsage } from '@fq/contracts';
import { BrokerError } from '../broker.errors';
import { RequireRole } from '../identity/auth.guard';
import { Caller } from '../identity/caller';
import { CurrentCaller } from '../identity/current-caller.decorator';
import { QuotasService } from './quotas.service';
import { SiteBudgetsService } from './site-budgets.service';

/**
 * `GET /api/v1/quota`: the caller's submission quotas, polling interval and blacklist state, and what they have left
 * of each site's privacy budget.
 */
@Controller('api/v1/quota')
export class QuotaHttpController {
  constructor(
    private readonly quotas: QuotasService,
    private readonly budgets: SiteBudgetsService,
  ) {}

  @Get()
  async show(@CurrentCaller() caller: Caller): Promise<QuotaUsage> {
    const [usage, siteBudgets] = await Promise.all([this.quotas.usage(caller), this.budgets.list(caller)]);
    return { ...usage, siteBudgets };
  }
}

/** The admin's view of the blacklist: list it, lift an entry. */
@Controller('api/v1/admin/blacklist')
@RequireRole('admin')
export class BlacklistHttpController {
  constructor(private readonly quotas: QuotasService) {}

  /** `GET /api/v1/admin/blacklist`: every blacklisted user, longest listed first. */
  @Get()
  list(): Promise<BlacklistList> {
    return this.quotas.listBlacklist();
  }

  /** `DELETE /api/v1/admin/blacklist/{userId}`: 204, or 404 if the user is not blacklisted. */
  @Delete(':userId')
  @HttpCode(204)
  async lift(@CurrentCaller() admin: Caller, @Param('userId') userId: string): Promise<void> {
    const parsed = Caller.shape.id.safeParse(userId);
    if (!parsed.success) {
      throw new BrokerError('BROKER_PARAMETER_INVALID', 'the user id is malformed', {
        issues: parsed.error.issues.map((issue) => ({
          path: 'path:userId',
          code: 'BROKER_PARAMETER_INVALID',
          message: issue.message,
        })),
      });
    }
    await this.quotas.liftBlacklist(parsed.data, admin);
  }
}
