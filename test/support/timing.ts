/**
 * How long a test waits for something JetStream redelivers: its default ack wait (30 s) plus a margin. A message the
 * server handed to a pull request of a process that then stopped or died is only redelivered after the ack wait.
 */
export const REDELIVERY_MS = 45_000;
