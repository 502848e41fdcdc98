import { describe, expect, it } from 'vitest';

import { ApiError } from './http';
import { isRetryable } from './retryable';

describe('isRetryable', () => {
  it('offers a retry for no answer, a server error or a rate limit', () => {
    expect(isRetryable(new ApiError('NETWORK_ERROR', 'offline', 0))).toBe(true);
    expect(isRetryable(new ApiError('HTTP_503', 'down', 503))).toBe(true);
    expect(isRetryable(new ApiError('RATE_LIMITED', 'slow down', 429))).toBe(true);
  });
  it('offers none for an answer that will be the same again', () => {
    expect(isRetryable(new ApiError('CLIENT_NOT_FOUND', 'No client with id 999.', 404))).toBe(false);
    expect(isRetryable(new ApiError('FORBIDDEN', 'Not yours', 403))).toBe(false);
  });
});
