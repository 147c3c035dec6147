export { JetStreamProbe } from './jetstream.nats';
export { type NatsLogin, natsLoginOptions } from './nats-login';
export { type AuditLine, type BrokerHandle, NetworkWorld, type SiteHandle } from './network.world';
export {
  adultsQuery,
  diagnosisQuery,
  EVALUATION_DATE,
  generateSiteData,
  hba1cQuery,
  loadExampleQuery,
  parseQuery,
  type SiteData,
} from './site-data.fixture';
export { REDELIVERY_MS } from './timing';
export { keysDeep, startWireTap, type TappedMessage, type WireTap } from './wire-tap.nats';
