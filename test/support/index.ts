export { type AppHandle, type AppName, appEntryPoint, startApp } from './app.process';
export { bearer, BrokerHttpClient, expectProblem, expectShape, type HttpAnswer } from './broker.http-client';
export { JetStreamProbe } from './jetstream.nats';
export { ManagedProcess, type ProcessExit } from './managed.process';
export { type NatsLogin, natsLoginOptions } from './nats-login';
export {
  acceptsConnections,
  findNatsServerBinary,
  type NatsServerHandle,
  startNatsServer,
} from './nats-server.process';
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
export { type EventStream, openEventStream, type ServerSentEvent } from './sse.http-client';
export { REDELIVERY_MS } from './timing';
export { waitFor } from './wait-for';
export { keysDeep, startWireTap, type TappedMessage, type WireTap } from './wire-tap.nats';
