import { setTimeout as delay } from 'node:timers/promises';

const POLL_INTERVAL_MS = 20;
const DEFAULT_DEADLINE_MS = 10_000;

/** A value the condition found, or a falsy value to keep waiting. */
export type Found<T> = T | undefined | null | false;

/**
 * Polls `condition` until it returns a truthy value and resolves with it; rejects after `deadlineMs` naming `what` (a
 * text, or a function giving the state seen last). A condition that throws is retried until the deadline.
 */
export async function waitFor<T>(
  condition: () => Found<T> | Promise<Found<T>>,
  what: string | (() => string),
  deadlineMs = DEFAULT_DEADLINE_MS,
): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  let lastError: unknown = null;
  for (;;) {
    try {
      const value = await condition();
      if (value !== undefined && value !== null && value !== false) {
        return value;
      }
      lastError = null;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const thrown = lastError instanceof Error ? `\nlast error: ${lastError.message}` : '';
      const described = typeof what === 'string' ? what : what();
      throw new Error(`timed out after ${deadlineMs} ms waiting for ${described}${thrown}`);
    }
    // Polling interval of a condition wait, not a fixed sleep: the loop ends as soon as the condition holds.
    await delay(POLL_INTERVAL_MS);
  }
}
