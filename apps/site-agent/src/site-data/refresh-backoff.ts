/** The longest wait before retrying a failed refresh. */
export const MAX_REFRESH_RETRY_SECONDS = 3600;

/** How long to wait before retrying a failed refresh: the first wait, doubled per failure in a row, capped. */
export class RefreshBackoff {
  private failures = 0;

  constructor(
    private readonly firstSeconds: number,
    private readonly maxSeconds = MAX_REFRESH_RETRY_SECONDS,
  ) {}

  /** Counts a failure; the seconds to wait before the next try. */
  failed(): number {
    this.failures++;
    return Math.min(this.maxSeconds, this.firstSeconds * 2 ** Math.min(this.failures - 1, 30));
  }

  succeeded(): void {
    this.failures = 0;
  }

  get failuresInARow(): number {
    return this.failures;
  }
}
