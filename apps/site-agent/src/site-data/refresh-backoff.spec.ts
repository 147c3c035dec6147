import { RefreshBackoff } from './refresh-backoff';

describe('RefreshBackoff', () => {
  it('doubles the wait per failure in a row up to an hour, and starts over after a success', () => {
    const backoff = new RefreshBackoff(60);
    expect([backoff.failed(), backoff.failed(), backoff.failed()]).toEqual([60, 120, 240]);
    for (let i = 0; i < 100; i++) {
      backoff.failed();
    }
    expect(backoff.failed()).toBe(3600);
    backoff.succeeded();
    expect(backoff.failuresInARow).toBe(0);
    expect(backoff.failed()).toBe(60);
  });
});
