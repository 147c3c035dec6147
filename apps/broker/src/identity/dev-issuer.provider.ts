import type { FactoryProvider } from '@nestjs/common';
import { type DevIssuerKey, loadOrCreateDevIssuerKey } from '@fq/network-admin';
import { BROKER_CONFIG, type BrokerConfig } from '../config/config.schema';

/** The development issuer's key in the Nest container: null unless BROKER_DEV_ISSUER is on. */
export const DEV_ISSUER_KEY = Symbol('DEV_ISSUER_KEY');

/** Loads (or creates) the key in BROKER_DEV_ISSUER_KEY_FILE when the development issuer is on. */
export const devIssuerKeyProvider: FactoryProvider<Promise<DevIssuerKey> | null> = {
  provide: DEV_ISSUER_KEY,
  useFactory: (config: BrokerConfig) =>
    config.auth.devIssuer === null ? null : loadOrCreateDevIssuerKey(config.auth.devIssuer.keyFile),
  inject: [BROKER_CONFIG],
};
