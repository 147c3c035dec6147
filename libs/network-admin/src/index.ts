export { DevIssuerKeyError } from './errors';
export { type GeneratedKey, generateEnvelopeKey, generateNatsUserKey } from './key-generation';
export {
  brokerNatsPermissions,
  monitorNatsPermissions,
  renderNatsAuthorization,
  renderNatsUser,
  siteNatsPermissions,
  siteNatsUser,
} from './nats-authorization';
export {
  addSite,
  type EnrolmentResult,
  initBrokerKeys,
  monitorPublicKeyOf,
  natsAuthorizationOf,
  readRegistryFile,
  type SeedSource,
  SITE_NATS_SEED_FILE,
  SITE_SIGNING_SEED_FILE,
} from './site-enrolment';
export {
  DEV_AUDIENCE,
  DEV_ISSUER,
  type DevIssuerKey,
  DevTokenRequest,
  FDPG_ROLE_NAMES,
  loadOrCreateDevIssuerKey,
  mintDevToken,
  mintDevTokenWithKeyFile,
  parseTtl,
} from './dev-issuer';
