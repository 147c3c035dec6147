/** What becomes of a message once it was handled: acknowledged, or delivered again later (broken infrastructure). */
export type Settlement = 'ack' | 'retry';

/** Whether a handler's return value is a settlement. */
export function isSettlement(value: unknown): value is Settlement {
  return value === 'ack' || value === 'retry';
}
