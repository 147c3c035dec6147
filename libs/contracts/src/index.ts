export * from './envelope.schema';
export {
  decodeEnvelope,
  type DecodeResult,
  encodeEnvelope,
  type EnvelopeIssue,
  MAX_ENVELOPE_BYTES,
} from './envelope.codec';
export * from './subjects';
export * from './http.schema';
