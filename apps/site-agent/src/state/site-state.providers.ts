import { Logger, type Provider } from '@nestjs/common';
import { ApprovalStore } from '../approvals/approval.store';
import { AuditLogWriter } from '../audit/audit-log.writer';
import { BudgetLedgerStore } from '../budget/budget-ledger.store';
import { CLOCK, type Clock } from '../clock';
import { SITE_AGENT_CONFIG } from '../config/config.loader';
import type { SiteAgentConfig } from '../config/config.schema';
import { CountProtectionService } from '../protection/count-protection.service';
import { PatientNumbersStore, patientNumbersWarnings } from '../protection/patient-numbers.store';
import { loadOrCreateSiteSecret } from '../protection/site-secret.store';
import { ProcessedQueryStore } from '../queries/processed-query.store';
import { SiteAgentStartError } from '../site-agent.errors';
import { prepareStateDir, STATE_DIR_PREPARED } from './state-dir';

/**
 * What the agent keeps in its state directory, opened at start once the directory is private: the audit log,
 * processed queries, the privacy-budget ledger, held queries, and the site secret with its patient numbers.
 */
export const SITE_STATE_PROVIDERS: Provider[] = [
  {
    provide: STATE_DIR_PREPARED,
    inject: [SITE_AGENT_CONFIG],
    useFactory: (config: SiteAgentConfig) => prepareStateDir(config.stateDir),
  },
  {
    provide: AuditLogWriter,
    inject: [SITE_AGENT_CONFIG, STATE_DIR_PREPARED],
    useFactory: (config: SiteAgentConfig) => AuditLogWriter.open(config.auditLogFile),
  },
  {
    provide: ProcessedQueryStore,
    inject: [SITE_AGENT_CONFIG, STATE_DIR_PREPARED],
    useFactory: (config: SiteAgentConfig) => ProcessedQueryStore.open(config.stateDir),
  },
  {
    provide: BudgetLedgerStore,
    inject: [SITE_AGENT_CONFIG, CLOCK, STATE_DIR_PREPARED],
    useFactory: (config: SiteAgentConfig, clock: Clock) =>
      BudgetLedgerStore.open(config.stateDir, config.privacyBudget, clock.now()),
  },
  {
    provide: ApprovalStore,
    inject: [SITE_AGENT_CONFIG, STATE_DIR_PREPARED],
    useFactory: (config: SiteAgentConfig) => new ApprovalStore(config.stateDir),
  },
  {
    provide: CountProtectionService,
    inject: [SITE_AGENT_CONFIG, STATE_DIR_PREPARED],
    useFactory: openCountProtection,
  },
];

/** The count protection from the site secret (created on first start) and the site's stable patient numbers. */
async function openCountProtection(config: SiteAgentConfig): Promise<CountProtectionService> {
  const secret = await loadOrCreateSiteSecret(config.stateDir);
  if (!secret.ok) {
    throw new SiteAgentStartError(secret.error.code, secret.error.message, { cause: secret.error });
  }
  const logger = new Logger(CountProtectionService.name);
  if (secret.value.created) {
    logger.log({ message: 'created a new site secret', file: secret.value.file });
  }
  const numbers = await PatientNumbersStore.open(config.stateDir, secret.value.secret);
  if (!numbers.ok) {
    throw new SiteAgentStartError(numbers.error.code, numbers.error.message, { cause: numbers.error });
  }
  for (const warning of patientNumbersWarnings(numbers.value)) {
    logger.warn({ message: warning, file: numbers.value.store.file });
  }
  return new CountProtectionService(secret.value.secret, config.protection, numbers.value.store);
}
