import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { err, ok } from '@fq/result';
import { SITE_AGENT_CONFIG } from '../../config/config.loader';
import type { SiteAgentConfig } from '../../config/config.schema';
import type { FhirSourceSettings } from '../../config/fhir-source.schema';
import {
  type DataOrigin,
  type LoadedSiteData,
  type LoadMode,
  SiteDataError,
  SiteDataLoader,
  type SiteDataResult,
  type SiteDataSource,
} from '../site-data.loader';
import { BulkExportClient, type DownloadedExport, type FhirSourceEvent } from './bulk-export.client';
import { createFhirAuthorizer } from './fhir-auth';
import { describeCause, FhirHttp } from './fhir-http';
import { FhirSearchClient } from './fhir-search.client';
import { FhirServerError } from './fhir-server.errors';
import { mergeExportFiles } from './export-merge';
import { type ExportState, ExportStore } from './export-store';

type SourceConfig = Pick<SiteAgentConfig, 'fhirSource' | 'stateDir' | 'dataVersionOverride'>;

/**
 * The site's data from its FHIR server: a full read (Bulk Data `$export`, or paged search), or an incremental one
 * (`$export?_since=` the last transactionTime) merged into the export kept in the state dir; either is built into a
 * new index through the loader's one build path. At start it builds from the kept export, without the server.
 */
@Injectable()
export class FhirServerSource implements SiteDataSource, OnModuleDestroy {
  private readonly logger = new Logger('FhirServerSource');
  private readonly settings: FhirSourceSettings;
  private readonly store: ExportStore;
  private readonly http: FhirHttp;
  private readonly stopping = new AbortController();
  /** The data this source loaded last, handed back as they are when a refresh finds nothing new. */
  private last: { data: LoadedSiteData; contentDigest: string } | null = null;

  constructor(
    @Inject(SITE_AGENT_CONFIG) private readonly config: SourceConfig,
    private readonly loader: SiteDataLoader,
  ) {
    if (config.fhirSource === null) {
      throw new Error('FhirServerSource needs SITE_FHIR_BASE_URL (a wiring bug)');
    }
    this.settings = config.fhirSource;
    this.store = new ExportStore(config.stateDir);
    this.http = new FhirHttp(this.settings);
  }

  /** Only a request to the server tells whether its data changed. */
  fingerprint(): Promise<null> {
    return Promise.resolve(null);
  }

  async load(mode: LoadMode = 'full'): Promise<SiteDataResult> {
    try {
      const kept = await this.keptState();
      if (mode === 'initial' && kept !== null) {
        this.logger.log({
          message: 'building from the export kept in the state dir',
          transactionTime: kept.transactionTime,
          resources: kept.layer.resources,
        });
        return await this.build(kept);
      }
      const incremental = mode === 'incremental' && kept !== null && this.settings.read === 'bulk-export';
      return incremental ? await this.loadChanges(kept) : await this.loadFull(kept);
    } catch (cause) {
      const message =
        cause instanceof FhirServerError
          ? `${cause.code}: ${cause.message}`
          : `reading the FHIR server: ${describeCause(cause)}`;
      return err(new SiteDataError('SITE_DATA_SOURCE_FAILED', message, { cause }));
    }
  }

  onModuleDestroy(): Promise<void> {
    this.stopping.abort(new Error('the site agent is stopping'));
    return this.http.close();
  }

  private async loadFull(kept: ExportState | null): Promise<SiteDataResult> {
    const types = await this.loader.resourceTypes();
    if (!types.ok) {
      return types;
    }
    const { dir, path } = await this.store.createLayerDir();
    try {
      const downloaded = await this.download(types.value, null, path);
      const state: ExportState = {
        version: 1,
        server: this.settings.baseUrl,
        read: this.settings.read,
        transactionTime: downloaded.transactionTime,
        fullExportTime: downloaded.transactionTime,
        layer: {
          dir,
          contentDigest: downloaded.digest.toHex(),
          resources: downloaded.digest.lines,
          files: downloaded.files,
        },
      };
      return await this.buildAndCommit(state, kept);
    } finally {
      await this.store.removeUnused(await this.store.read());
    }
  }

  private async loadChanges(kept: ExportState): Promise<SiteDataResult> {
    const types = await this.loader.resourceTypes();
    if (!types.ok) {
      return types;
    }
    const delta = await this.store.createLayerDir();
    try {
      const downloaded = await this.download(types.value, kept.transactionTime, delta.path);
      const deletedFiles = downloaded.deletedFiles.length;
      this.logger.log({
        message: 'incremental export downloaded',
        since: kept.transactionTime,
        transactionTime: downloaded.transactionTime,
        changed: downloaded.digest.lines,
        deletedFiles,
      });
      if (downloaded.digest.lines === 0 && deletedFiles === 0) {
        const state = { ...kept, transactionTime: downloaded.transactionTime };
        return await this.buildAndCommit(state, kept);
      }
      const merged = await this.store.createLayerDir();
      const files = await mergeExportFiles(
        this.store.filesOf(kept.layer),
        downloaded.files.map((file) => `${delta.path}/${file}`),
        downloaded.deletedFiles.map((file) => `${delta.path}/${file}`),
        merged.path,
        this.stopping.signal,
      );
      const state: ExportState = {
        ...kept,
        transactionTime: downloaded.transactionTime,
        layer: {
          dir: merged.dir,
          contentDigest: files.digest.toHex(),
          resources: files.digest.lines,
          files: files.files,
        },
      };
      return await this.buildAndCommit(state, kept);
    } finally {
      await this.store.removeUnused(await this.store.read());
    }
  }

  /** Builds `state` (or hands back the last data when its content is the same), then makes it the kept export. */
  private async buildAndCommit(state: ExportState, kept: ExportState | null): Promise<SiteDataResult> {
    const loaded = await this.build(state);
    if (
      loaded.ok &&
      (kept === null || kept.layer.dir !== state.layer.dir || kept.transactionTime !== state.transactionTime)
    ) {
      await this.store.commit(state);
    }
    return loaded;
  }

  private async build(state: ExportState): Promise<SiteDataResult> {
    const origin: DataOrigin = {
      source: state.read === 'search' ? 'fhir-search' : 'fhir-bulk-export',
      asOf: state.transactionTime,
    };
    const fingerprint = createHash('sha256')
      .update(`fhir\0${state.layer.contentDigest}\0${await this.loader.mappingFingerprint()}`)
      .digest('hex');
    if (this.last !== null && this.last.data.fingerprint === fingerprint) {
      // Same resources, same mapping: the index in hand is the one this would build.
      this.last.data = { ...this.last.data, origin };
      return ok(this.last.data);
    }
    const built = await this.loader.build(this.store.filesOf(state.layer), {
      fingerprint,
      dataVersion: this.config.dataVersionOverride ?? fingerprint,
      origin,
    });
    if (built.ok) {
      this.last = { data: built.value, contentDigest: state.layer.contentDigest };
    }
    return built;
  }

  /** The kept export, if it is from this server and read the way the configuration says. */
  private async keptState(): Promise<ExportState | null> {
    const state = await this.store.read();
    if (state === null) {
      return null;
    }
    if (state.server !== this.settings.baseUrl || state.read !== this.settings.read) {
      this.logger.warn({
        message: 'the kept export is from another server or read mode; not used',
        server: state.server,
      });
      return null;
    }
    return state;
  }

  private async download(types: readonly string[], since: string | null, dir: string): Promise<DownloadedExport> {
    const deadline = AbortSignal.timeout(this.settings.exportTimeoutSeconds * 1000);
    const signal = AbortSignal.any([deadline, this.stopping.signal]);
    const auth = createFhirAuthorizer(this.settings.auth, this.http);
    const onEvent = (event: FhirSourceEvent): void => this.report(event);
    this.logger.log({
      message: since === null ? 'reading the FHIR server' : 'reading the changes on the FHIR server',
      read: this.settings.read,
      level: this.settings.exportLevel,
      types: types.join(','),
      ...(since === null ? {} : { since }),
    });
    try {
      return this.settings.read === 'search'
        ? await new FhirSearchClient(this.settings, this.http, auth, onEvent).read(types, dir, signal)
        : await new BulkExportClient(this.settings, this.http, auth, onEvent).export({ types, since }, dir, signal);
    } catch (error) {
      if (deadline.aborted) {
        throw new FhirServerError(
          'FHIR_SERVER_EXPORT_TIMEOUT',
          `the export took longer than SITE_FHIR_EXPORT_TIMEOUT_SECONDS (${this.settings.exportTimeoutSeconds})`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  private report(event: FhirSourceEvent): void {
    switch (event.kind) {
      case 'kicked-off':
        this.logger.log({ message: 'export started', statusUrl: event.statusUrl });
        break;
      case 'progress':
        this.logger.log({ message: 'export in progress', progress: event.progress });
        break;
      case 'retry':
        this.logger.warn({
          message: 'FHIR server request retried',
          step: event.step,
          reason: event.reason,
          delayMs: event.delayMs,
        });
        break;
      case 'server-errors':
        this.logger.warn({ message: 'the export reported errors', count: event.count, samples: event.samples });
        break;
      case 'job-deleted':
        this.logger.log({ message: 'export job deleted', status: event.status ?? 'unreachable' });
        break;
    }
  }
}
