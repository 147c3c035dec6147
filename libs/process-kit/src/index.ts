export {
  type AppName,
  type AppProcess,
  appEntryPoint,
  findRepoRoot,
  spawnApp,
  startApp,
  type StartAppOptions,
  waitUntilReady,
} from './app.process';
export { bearer, BrokerHttpClient, expectProblem, expectShape, type HttpAnswer } from './broker.http-client';
export { ProcessNotReadyError, ProgramNotFoundError } from './errors';
export { describeExit, ManagedProcess, type ProcessExit, type SpawnSpec } from './managed.process';
export {
  acceptsConnections,
  findNatsServerBinary,
  NATS_SERVER_INSTALL_HINT,
  type NatsServerHandle,
  type NatsServerOptions,
  startNatsServer,
} from './nats-server.process';
export { type EventStream, openEventStream, type ServerSentEvent } from './sse.http-client';
export { type Found, waitFor } from './wait-for';
