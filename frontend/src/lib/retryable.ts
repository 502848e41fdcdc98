/**
 * Whether trying the same read again can succeed, so a page offers "Retry" only then: no answer, a server error
 * or a rate limit may pass; a 404, 403 or 422 will be the same answer again.
 */
import { ApiError } from './http';

export function isRetryable(err: unknown): boolean {
  if (!(err instanceof ApiError)) return true;
  return err.status === 0 || err.status === 408 || err.status === 429 || err.status >= 500;
}
