import { Logger, type Provider } from '@nestjs/common';
import { type CriteriaCatalog, loadBuiltinCatalog, loadCatalogFile } from '@fq/catalog';
import { BROKER_CONFIG, type BrokerConfig } from '../config/config.schema';

export const CRITERIA_CATALOG = Symbol('CRITERIA_CATALOG');

/** The catalog the broker serves: `BROKER_CATALOG_FILE` when set, otherwise the built-in one; a bad file stops the start. */
export async function openCriteriaCatalog(config: Pick<BrokerConfig, 'catalogFile'>): Promise<CriteriaCatalog> {
  const loaded = config.catalogFile === null ? loadBuiltinCatalog() : await loadCatalogFile(config.catalogFile);
  if (!loaded.ok) {
    throw new Error(`BROKER_CATALOG_FILE: ${loaded.error.message}`, { cause: loaded.error });
  }
  new Logger('Terminology').log(
    `criteria catalog ${loaded.value.name}: ${loaded.value.size} entries in ${loaded.value.contexts().length} contexts`,
  );
  return loaded.value;
}

export const criteriaCatalogProvider: Provider = {
  provide: CRITERIA_CATALOG,
  useFactory: (config: BrokerConfig) => openCriteriaCatalog(config),
  inject: [BROKER_CONFIG],
};
