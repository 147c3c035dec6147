import { Inject, Injectable } from '@nestjs/common';
import {
  type CohortKeying,
  type ConceptTree,
  createIndexBuilder,
  type EngineMapping,
  ingestFhir,
  ingestFhirInParallel,
  type IngestSummary,
  loadConceptTreesFile,
  loadJsonFile,
  type PatientIndex,
  resolveSiteMapping,
} from '@fq/engine';
import { type Err, err, ok, type Result } from '@fq/result';
import { SITE_AGENT_CONFIG } from '../config/config.loader';
import type { SiteAgentConfig } from '../config/config.schema';
import { CountProtectionService } from '../protection/count-protection.service';
import { computeDataFingerprint } from './data-fingerprint';
import { IndexSnapshotStore } from './index-snapshot.store';
import { unusableInputReason } from './load-summary';

/** The site's data could not be loaded; the agent keeps the data it has (or refuses to start without any). */
export class SiteDataError extends Error {
  override readonly name = 'SiteDataError';

  constructor(
    readonly code:
      | 'SITE_DATA_MAPPING_INVALID'
      | 'SITE_DATA_NO_INPUT'
      | 'SITE_DATA_LOAD_FAILED'
      /** The FHIR server could not be read; `cause` is the FhirServerError with its own code. */
      | 'SITE_DATA_SOURCE_FAILED',
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** An index built from the site's data, with what identifies and describes it. */
export interface LoadedSiteData {
  index: PatientIndex;
  /** Keys the privacy noise: SITE_DATA_VERSION, else the fingerprint. */
  dataVersion: string;
  /** Hash of the data and mapping files' paths, sizes and mtimes when loading started. */
  fingerprint: string;
  summary: IngestSummary;
  /** Where the data came from and as of when; absent for sources that do not say (tests). */
  origin?: DataOrigin;
}

/** The kind of source and the instant the source's data are current to (a FHIR export's transactionTime). */
export interface DataOrigin {
  source: 'files' | 'fhir-bulk-export' | 'fhir-search';
  asOf: string | null;
}

/** What names a build: its fingerprint, data version and origin. */
export type BuildIdentity = Pick<LoadedSiteData, 'fingerprint' | 'dataVersion'> & { origin: DataOrigin };

export type SiteDataResult = Result<LoadedSiteData, SiteDataError>;

/**
 * `initial`: what the agent starts with (a FHIR source builds from the export it kept); `full`: everything anew;
 * `incremental`: only what changed since the last load. Sources without such distinctions (files) do a full load.
 */
export type LoadMode = 'initial' | 'full' | 'incremental';

/** Where the site's data come from; the service reloads through it, tests replace it. */
export interface SiteDataSource {
  /** Identifies the data without loading them; null when only a load can tell (a server). */
  fingerprint(): Promise<string | null>;
  /** Loads the data; a source may hand back the index it loaded last (same object) when nothing changed. */
  load(mode?: LoadMode): Promise<SiteDataResult>;
}

export const SITE_DATA_SOURCE = Symbol('SITE_DATA_SOURCE');

type DataOptions = Pick<
  SiteAgentConfig,
  'dataPaths' | 'mappingFile' | 'conceptTreeFiles' | 'upstreamCompatible' | 'dataVersionOverride'
> &
  /** Without a state directory and `indexSnapshot` there is no snapshot; without `ingestWorkers`, no worker threads. */
  Partial<Pick<SiteAgentConfig, 'stateDir' | 'indexSnapshot' | 'ingestWorkers'>>;

/** The site's stable patient numbers and cohort keys, and how to make new numbers durable (the count protection). */
export interface CohortKeys {
  readonly cohortKeying: CohortKeying;
  saveNumbers(): Promise<void>;
}

/**
 * Loads the mapping, concept trees and FHIR files named in the configuration into a fresh patient index, whose
 * patients carry the site's stable numbers (`cohortKeys`), saved before the index is handed out.
 */
@Injectable()
export class SiteDataLoader implements SiteDataSource {
  private readonly snapshots: IndexSnapshotStore | null;
  /** Only the first build of a process may start from the snapshot; later ones are refreshes and read the data. */
  private firstBuild = true;

  constructor(
    @Inject(SITE_AGENT_CONFIG) private readonly options: DataOptions,
    @Inject(CountProtectionService) private readonly cohortKeys: CohortKeys,
  ) {
    const { stateDir, indexSnapshot } = options;
    this.snapshots = stateDir !== undefined && indexSnapshot === true ? new IndexSnapshotStore(stateDir) : null;
  }

  fingerprint(): Promise<string> {
    const mappingFiles = [
      ...(this.options.mappingFile === null ? [] : [this.options.mappingFile]),
      ...this.options.conceptTreeFiles,
    ];
    return computeDataFingerprint(this.options.dataPaths, mappingFiles);
  }

  async load(): Promise<SiteDataResult> {
    const fingerprint = await this.fingerprint();
    return this.build(this.options.dataPaths, {
      fingerprint,
      dataVersion: this.options.dataVersionOverride ?? fingerprint,
      origin: { source: 'files', asOf: null },
    });
  }

  /** The mapping and concept-tree files' fingerprint: a FHIR source folds it into its data version. */
  mappingFingerprint(): Promise<string> {
    const mappingFiles = [
      ...(this.options.mappingFile === null ? [] : [this.options.mappingFile]),
      ...this.options.conceptTreeFiles,
    ];
    return computeDataFingerprint([], mappingFiles);
  }

  /** The resource types the mapping reads (its entries, their referenced and code-bearing resources, Patient). */
  async resourceTypes(): Promise<Result<string[], SiteDataError>> {
    const mapping = await this.loadMapping();
    if (!mapping.ok) {
      return mapping;
    }
    const types = new Set<string>(['Patient']);
    for (const entry of mapping.value.criteria) {
      types.add(entry.resourceType);
      if (entry.code?.via !== undefined) {
        types.add(entry.code.via.resourceType);
      }
      for (const attribute of entry.attributes ?? []) {
        if (attribute.type === 'reference') {
          types.add(attribute.targetResourceType);
        }
      }
    }
    return ok([...types].sort());
  }

  /**
   * The one build path, for files and for a FHIR server's downloads alike: mapping, concept trees, `paths` ingested into
   * a fresh index, the patient numbers saved.
   */
  async build(paths: readonly string[], identity: BuildIdentity): Promise<SiteDataResult> {
    const mapping = await this.loadMapping();
    if (!mapping.ok) {
      return mapping;
    }
    const trees: ConceptTree[] = [];
    for (const file of this.options.conceptTreeFiles) {
      const loaded = await loadConceptTreesFile(file);
      if (!loaded.ok) {
        return fail('SITE_DATA_MAPPING_INVALID', `concept tree ${file}: ${loaded.error.message}`, loaded.error);
      }
      trees.push(...loaded.value);
    }
    const engine = { mapping: mapping.value, conceptTrees: trees, cohortKeying: this.cohortKeys.cohortKeying };
    // The same files (or export) and data version: the index the last build saved answers as a new one would.
    const source = `${identity.fingerprint}\0${identity.dataVersion}`;
    if (this.firstBuild && this.snapshots !== null) {
      this.firstBuild = false;
      const restored = await this.snapshots.restore(engine, source);
      if (restored !== null) {
        return ok({ index: restored.index, ...identity, summary: restored.summary });
      }
    }
    this.firstBuild = false;
    try {
      const builder = createIndexBuilder(engine);
      const workers = this.options.ingestWorkers ?? 0;
      const summary =
        workers > 0
          ? await ingestFhirInParallel(paths, builder, { workers, mapping: engine.mapping, conceptTrees: trees })
          : await ingestFhir(paths, builder);
      const unusable = unusableInputReason(summary, paths);
      if (unusable !== null) {
        return fail('SITE_DATA_NO_INPUT', unusable);
      }
      const index = builder.finish();
      const saved = await this.saveNumbers();
      if (saved !== null) {
        return saved;
      }
      await this.snapshots?.save(index, engine.cohortKeying, source, summary);
      return ok({ index, ...identity, summary });
    } catch (cause) {
      // The engine throws only for broken mappings (bad FHIRPath) or bugs; either way this load is unusable.
      return fail(
        'SITE_DATA_LOAD_FAILED',
        `cannot build the index: ${cause instanceof Error ? cause.message : String(cause)}`,
        cause,
      );
    }
  }

  /** A number must be on disk before an answer depends on it: no restart may give it to another patient. */
  private async saveNumbers(): Promise<Err<SiteDataError> | null> {
    try {
      await this.cohortKeys.saveNumbers();
      return null;
    } catch (cause) {
      const reason = (cause as NodeJS.ErrnoException).code ?? (cause instanceof Error ? cause.message : String(cause));
      return fail('SITE_DATA_LOAD_FAILED', `cannot save the patient numbers: ${reason}`, cause);
    }
  }

  private async loadMapping(): Promise<Result<EngineMapping, SiteDataError>> {
    const file = this.options.mappingFile;
    const json = file === null ? undefined : await loadJsonFile(file);
    if (json !== undefined && !json.ok) {
      return fail('SITE_DATA_MAPPING_INVALID', `mapping ${file}: ${json.error.message}`, json.error);
    }
    // The upstream-compatible reading applies to an imported mapping_fhir.json too (decision 0002).
    const mapping = resolveSiteMapping(json?.value, { upstreamCompatible: this.options.upstreamCompatible });
    if (!mapping.ok) {
      const issues = mapping.error.issues.slice(0, 5).map((issue) => `${issue.path}: ${issue.message}`);
      return fail(
        'SITE_DATA_MAPPING_INVALID',
        `mapping ${file}: ${issues.length > 0 ? issues.join('; ') : mapping.error.message}`,
        mapping.error,
      );
    }
    return mapping;
  }
}

function fail(code: SiteDataError['code'], message: string, cause?: unknown): Err<SiteDataError> {
  return err(new SiteDataError(code, message, { cause }));
}
