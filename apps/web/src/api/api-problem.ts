import type { ProblemDetails, ProblemIssue } from '@fq/contracts';

/** A failed broker request as the page shows it: the problem's words, its stable code and every issue. */
export class ApiProblemError extends Error {
  override readonly name = 'ApiProblemError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: ProblemIssue[] = [],
    /** Seconds until a 429 may be tried again, from Retry-After. */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
  }
}

function isProblem(body: unknown): body is ProblemDetails {
  return (
    typeof body === 'object' &&
    body !== null &&
    typeof (body as ProblemDetails).code === 'string' &&
    typeof (body as ProblemDetails).detail === 'string'
  );
}

/** Turns a non-2xx response into an ApiProblemError, whether or not its body is a problem document. */
export async function problemOf(response: Response): Promise<ApiProblemError> {
  const retryAfter = Number(response.headers.get('Retry-After'));
  const retry = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null;
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (isProblem(body)) {
    return new ApiProblemError(response.status, body.code, body.detail, body.issues ?? [], retry);
  }
  return new ApiProblemError(response.status, 'HTTP_ERROR', `the broker answered ${response.status}`, [], retry);
}
