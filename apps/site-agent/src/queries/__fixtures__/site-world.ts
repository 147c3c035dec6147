import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger, type LoggerService } from '@nestjs/common';
import { hashQuery, type StructuredQuery } from '@fq/ccdl';
import {
  type AdmittedEnvelope,
  type EnvelopeSigner,
  envelopeSignerFromSeed,
  type QueryEnvelope,
  type ResultEnvelope,
  signEnvelope,
} from '@fq/contracts';
import { type GeneratedKey, generateEnvelopeKey } from '@fq/network-admin';
import { createIndexBuilder, type IngestSummary, type PatientIndex } from '@fq/engine';
import { type BudgetPolicy, createCohortKeyer, DEFAULT_BUDGET_POLICY, DEFAULT_PROTECTION_POLICY } from '@fq/privacy';
import { err, ok } from '@fq/result';
import { ManualClock } from '../../__fixtures__/manual-clock';
import { ApprovalProcessingService } from '../../approvals/approval-processing.service';
import { ApprovalStore } from '../../approvals/approval.store';
import { AuditLogWriter } from '../../audit/audit-log.writer';
import { BudgetLedgerStore } from '../../budget/budget-ledger.store';
import type { SitePolicyConfig } from '../../config/config.schema';
import { SitePolicyService } from '../../policy/site-policy.service';
import { memoryNumbering } from '../../protection/__fixtures__/memory-numbering';
import { CountProtectionService } from '../../protection/count-protection.service';
import type { SiteDataResult, SiteDataSource } from '../../site-data/site-data.loader';
import { SiteDataService } from '../../site-data/site-data.service';
import type { PatternDispatch, Settlement } from '@fq/jetstream-transport';
import { SiteQueryGate, SiteQueryPattern } from '../../transport/site-query.gate';
import { ProcessedQueryStore } from '../processed-query.store';
import { QueriesNatsController } from '../queries.nats.controller';
import { QueryAdmissionService } from '../query-admission.service';
import { QueryAnsweringService } from '../query-answering.service';
import { QueryOutcomeService } from '../query-outcome.service';
import { type PublishResult, ResultPublisher } from '../result.publisher';

export const SITE_ID = 'site-test';
export const START = '2025-03-01T10:00:00.000Z';
export const DATA_VERSION = 'data-v1';

/** The broker's and the site's envelope keys in unit tests: fresh per test run, never checked in. */
export const TEST_BROKER_KEY: GeneratedKey = generateEnvelopeKey();
export const TEST_SITE_KEY: GeneratedKey = generateEnvelopeKey();

/** A signer for a seed that must be valid. */
export function signerOf(key: GeneratedKey): EnvelopeSigner {
  const signer = envelopeSignerFromSeed(key.seed);
  if (!signer.ok) {
    throw new Error(signer.error.message);
  }
  return signer.value;
}

/** A result publisher that keeps what it was given and can be told to fail. */
export class FakeResultPublisher extends ResultPublisher {
  readonly published: ResultEnvelope[] = [];
  failures = 0;

  publish(envelope: ResultEnvelope): Promise<PublishResult> {
    if (this.failures > 0) {
      this.failures--;
      return Promise.resolve(err(new Error('no responders (test)')));
    }
    this.published.push(envelope);
    return Promise.resolve(ok(undefined));
  }
}

/** A logger that keeps every line as JSON text, so tests can search what would have been printed. */
export class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];
  log(message: unknown, ...rest: unknown[]): void {
    this.lines.push(JSON.stringify(['log', message, ...rest]));
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.lines.push(JSON.stringify(['warn', message, ...rest]));
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.lines.push(JSON.stringify(['error', message, ...rest]));
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.lines.push(JSON.stringify(['debug', message, ...rest]));
  }
}

/** The site secret of every test world; the index's cohort keys and the noise both come from it. */
export const WORLD_SITE_SECRET = new Uint8Array(32).fill(7);

/** An index of `female` female and `male` male patients, born 1980, with the world's cohort keys. */
export function buildIndex(female: number, male: number): PatientIndex {
  const numbers = memoryNumbering();
  const builder = createIndexBuilder({
    cohortKeying: { patientNumber: (id) => numbers.numberOf(id), keyOf: createCohortKeyer(WORLD_SITE_SECRET) },
  });
  for (let i = 0; i < female + male; i++) {
    builder.addResource({
      resourceType: 'Patient',
      id: `p${i}`,
      gender: i < female ? 'female' : 'male',
      birthDate: '1980-05-05',
    });
  }
  return builder.finish();
}

/** An ingestion summary for data sources that ingest nothing. */
export const EMPTY_SUMMARY: IngestSummary = {
  files: 1,
  skippedFiles: 0,
  unsupportedFiles: [],
  bytes: 0,
  resources: 0,
  indexed: 0,
  typeNotMapped: 0,
  codeNotMapped: 0,
  noPatient: 0,
  replaced: 0,
  byType: {},
  errors: 0,
  errorsByCode: {},
  errorSamples: [],
  durationMs: 0,
  resourcesPerSecond: 0,
};

/** A data source that serves a fixed index. */
export function fixedSource(index: PatientIndex, dataVersion = DATA_VERSION): SiteDataSource {
  const result: SiteDataResult = ok({ index, dataVersion, fingerprint: `fp-${dataVersion}`, summary: EMPTY_SUMMARY });
  return { fingerprint: () => Promise.resolve(`fp-${dataVersion}`), load: () => Promise.resolve(result) };
}

export const GENDER_CRITERION = {
  context: { system: 'fdpg.mii.cds', code: 'Patient' },
  termCodes: [{ system: 'http://snomed.info/sct', code: '263495000' }],
  valueFilter: {
    type: 'concept' as const,
    selectedConcepts: [{ system: 'http://hl7.org/fhir/administrative-gender', code: 'female' }],
  },
};

/** "Female patients". */
export const FEMALE_QUERY: StructuredQuery = { inclusionCriteria: [[GENDER_CRITERION]] };

/** A query envelope signed by the test broker for `query`, valid for an hour after START unless told otherwise. */
export function queryEnvelope(
  query: StructuredQuery = FEMALE_QUERY,
  overrides: { queryId?: string; expiresAt?: string; queryHash?: string; requester?: string; sentAt?: string } = {},
): QueryEnvelope {
  return signEnvelope<QueryEnvelope>(
    {
      id: randomUUID(),
      type: 'query',
      sentAt: overrides.sentAt ?? START,
      expiresAt: overrides.expiresAt ?? '2025-03-01T11:00:00.000Z',
      sender: { kind: 'broker' },
      payload: {
        queryId: overrides.queryId ?? randomUUID(),
        queryHash: overrides.queryHash ?? hashQuery(query),
        query,
        requester: overrides.requester ?? 'researcher-7f3a',
      },
    },
    signerOf(TEST_BROKER_KEY),
  );
}

/** A query as the envelope gate admits it from stream message `streamSequence`. */
export function admitted(envelope: QueryEnvelope, streamSequence = 1): AdmittedEnvelope<QueryEnvelope> {
  return { envelope, streamSequence, arrival: 'new' };
}

export interface SiteWorld {
  dir: string;
  clock: ManualClock;
  publisher: FakeResultPublisher;
  /** Every line the services logged (Nest's logger is pointed at it). */
  logger: CapturingLogger;
  approvals: ApprovalStore;
  processed: ProcessedQueryStore;
  audit: AuditLogWriter;
  budget: BudgetLedgerStore;
  siteData: SiteDataService;
  gate: SiteQueryGate;
  /** Routes what the gate admits to the query handlers, by pattern, as the transport does. */
  dispatch: PatternDispatch;
  admission: QueryAdmissionService;
  answering: QueryAnsweringService;
  approvalProcessing: ApprovalProcessingService;
  /** Admits a query as the gate hands it over, from its own stream message unless `streamSequence` is given. */
  admit(envelope: QueryEnvelope, streamSequence?: number): Promise<Settlement>;
  auditLines(): Promise<Array<Record<string, unknown>>>;
  close(): Promise<void>;
}

export interface WorldOptions {
  policy?: Partial<SitePolicyConfig>;
  source?: SiteDataSource;
  evaluationDate?: string | null;
  budget?: BudgetPolicy;
}

/** The query path over real stores in a fresh temporary state directory, a manual clock and a fake transport. */
export async function createSiteWorld(options: WorldOptions = {}): Promise<SiteWorld> {
  const dir = await mkdtemp(join(tmpdir(), 'site-world-'));
  const clock = new ManualClock(START);
  const policyConfig: SitePolicyConfig = {
    allowedContexts: null,
    allowedCodeSystems: null,
    maxCriteria: 50,
    rateLimit: 999,
    rateIntervalSeconds: 3600,
    approval: 'auto',
    ...options.policy,
  };
  const publisher = new FakeResultPublisher();
  const logger = new CapturingLogger();
  Logger.overrideLogger(logger);
  const approvals = new ApprovalStore(dir);
  const processed = await ProcessedQueryStore.open(dir);
  const audit = await AuditLogWriter.open(join(dir, 'audit.jsonl'));
  const budget = await BudgetLedgerStore.open(dir, options.budget ?? DEFAULT_BUDGET_POLICY, clock.now());
  const siteData = new SiteDataService(options.source ?? fixedSource(buildIndex(43, 20)), clock);
  const loaded = await siteData.loadInitial();
  if (!loaded.ok) {
    throw loaded.error;
  }
  const config = {
    siteId: SITE_ID,
    evaluationDate: options.evaluationDate ?? '2025-03-01',
    policy: policyConfig,
    security: {
      signer: signerOf(TEST_SITE_KEY),
      brokerPublicKey: TEST_BROKER_KEY.publicKey,
      natsNkeySeed: null,
      tls: null,
    },
  };
  const protection = new CountProtectionService(WORLD_SITE_SECRET, DEFAULT_PROTECTION_POLICY, memoryNumbering());
  const outcome = new QueryOutcomeService(config, clock, audit, processed, publisher);
  const answering = new QueryAnsweringService(config, clock, siteData, protection, budget, outcome);
  const policy = new SitePolicyService(config);
  const admission = new QueryAdmissionService(config, clock, policy, processed, approvals, audit, outcome, answering);
  const controller = new QueriesNatsController(admission);
  const handlers: Record<string, (query: AdmittedEnvelope<QueryEnvelope>) => Promise<Settlement>> = {
    [SiteQueryPattern.Query]: (query) => controller.onQuery(query),
    [SiteQueryPattern.ExpiredQuery]: (query) => controller.onExpiredQuery(query),
  };
  let sequence = 0;
  return {
    dir,
    clock,
    publisher,
    logger,
    approvals,
    processed,
    audit,
    budget,
    siteData,
    gate: new SiteQueryGate(config, clock, processed, audit),
    dispatch: (pattern, data) => {
      const handler = handlers[pattern];
      if (handler === undefined) {
        return Promise.reject(new Error(`no handler for ${pattern}`));
      }
      return handler(data as AdmittedEnvelope<QueryEnvelope>);
    },
    admission,
    answering,
    approvalProcessing: new ApprovalProcessingService(clock, approvals, processed, outcome, answering),
    admit: (envelope, streamSequence) => admission.admit(admitted(envelope, streamSequence ?? ++sequence + 1000)),
    auditLines: async () =>
      (await readFile(join(dir, 'audit.jsonl'), 'utf8'))
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    close: async () => {
      await audit.close();
      await processed.close();
      await budget.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Every number anywhere inside a JSON value, and whether any key is named `rawCount`. */
export function scanJson(value: unknown): { numbers: number[]; hasRawCountKey: boolean } {
  const numbers: number[] = [];
  let hasRawCountKey = false;
  const visit = (v: unknown): void => {
    if (typeof v === 'number') {
      numbers.push(v);
    } else if (Array.isArray(v)) {
      v.forEach(visit);
    } else if (typeof v === 'object' && v !== null) {
      for (const [key, inner] of Object.entries(v)) {
        hasRawCountKey ||= key === 'rawCount';
        visit(inner);
      }
    } else if (typeof v === 'string' && (v.startsWith('{') || v.startsWith('['))) {
      try {
        visit(JSON.parse(v));
      } catch {
        // Not JSON after all; plain text is checked by the caller's regular expression.
      }
    }
  };
  visit(value);
  return { numbers, hasRawCountKey };
}
