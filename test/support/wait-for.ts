import { setTimeout as delay } from 'node:timers/promises';

const POLL_INTERVAL_MS = 50;

/** A value the condition found, or a falsy value to keep waiting. */
type Found<T> = T | undefined | null | false;

/**
 * Polls `condition` until it returns a truthy value and resolves with it; rejects after `deadlineMs` with `describe()`
 * (the state the test saw last) in the message. A condition that throws is retried until the deadline.
 */
export async function waitFor<T>(
  condition: () => Found<T> | Promise<Found<T>>,
  deadlineMs: number,
  describe: () => string = () => '',
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
      throw new Error(`condition not met within ${deadlineMs} ms${thrown}\n${describe()}`);
    }
    // Polling interval of a condition wait, not a fixed sleep: the loop ends as soon as the condition holds.
    await delay(POLL_INTERVAL_MS);
  }
}
