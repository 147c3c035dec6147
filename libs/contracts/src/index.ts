export * from './envelope.schema';
export {
  decodeEnvelope,
  type DecodeResult,
  describeEnvelopeIssue,
  encodeEnvelope,
  EnvelopeCode,
  type EnvelopeIssue,
  type EnvelopeKeyResolver,
  MAX_ENVELOPE_BYTES,
  openEnvelope,
  readEnvelopeIdsLeniently,
} from './envelope.codec';
export {
  type AdmittedEnvelope,
  type Arrival,
  createEnvelopeGate,
  type EnvelopeGate,
  type EnvelopeGateOptions,
  type EnvelopeRejection,
  fromSubjectSite,
  type GateVerdict,
  type InboundMessage,
  queryAddressedTo,
  type ReplayJudge,
  type RouteRule,
} from './envelope.gate';
export { canonicalJson } from './canonical-json';
export { queryEnvelopeId } from './envelope-ids';
export {
  EnvelopePublicKey,
  type EnvelopeSigner,
  envelopeSignerFromSeed,
  type KeyIssue,
  type KeyResult,
  natsUserPublicKeyOf,
  NatsUserPublicKey,
} from './envelope-keys';
export {
  checkEnvelopeTiming,
  DEFAULT_CLOCK_SKEW_MS,
  ENVELOPE_SIGNATURE_LENGTH,
  ENVELOPE_SIGNING_DOMAIN,
  envelopeSigningBytes,
  isEnvelopeExpired,
  signEnvelope,
  type TimingIssue,
  verifyEnvelopeSignature,
} from './envelope.signature';
export { natsClientTls, type NatsTlsFiles } from './nats-client-tls';
export * from './site-registry.schema';
export * from './subjects';
export * from './http.schema';
export * from './query-history.schema';
export * from './saved-queries.schema';
export * from './terminology.schema';
export * from './web-app.schema';
export { DEFAULT_MAX_CRITERIA, MAX_CRITERIA_LIMIT } from './query-limits';
export { MAX_HEARTBEAT_ENVELOPE_BYTES, MAX_RESULT_ENVELOPE_BYTES, NATS_HEADER_ALLOWANCE_BYTES } from './stream-limits';
