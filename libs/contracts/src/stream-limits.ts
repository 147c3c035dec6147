/**
 * The largest result envelope a site may publish: FQ_RESULTS refuses larger messages. The largest one the schema allows
 * (a 500-character reason of escaped control characters, the longest site id, data version and budget report) takes
 * under 4 kB; a real one about 700 bytes.
 */
export const MAX_RESULT_ENVELOPE_BYTES = 8 * 1024;

/** The largest heartbeat envelope a site may publish (the largest the schema allows takes under 2 kB). */
export const MAX_HEARTBEAT_ENVELOPE_BYTES = 4 * 1024;

/** Room for the NATS headers (`Nats-Msg-Id`, …) that count towards a stream's per-message limit. */
export const NATS_HEADER_ALLOWANCE_BYTES = 1024;
