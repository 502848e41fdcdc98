import { describe, expect, it } from 'vitest';

import { canonicalJson, isUncertainFailure, SubmissionKey, uuid4 } from './idempotency';

describe('uuid4', () => {
  it('makes RFC 4122 v4 ids, also without crypto.randomUUID', () => {
    const re = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    expect(uuid4()).toMatch(re);
    const original = globalThis.crypto.randomUUID;
    try {
      Object.defineProperty(globalThis.crypto, 'randomUUID', { value: undefined, configurable: true });
      const ids = new Set(Array.from({ length: 50 }, uuid4));
      expect(ids.size).toBe(50);
      for (const id of ids) expect(id).toMatch(re);
    } finally {
      Object.defineProperty(globalThis.crypto, 'randomUUID', { value: original, configurable: true });
    }
  });
});

describe('SubmissionKey', () => {
  const body = { token_id: 2885, allocations: [{ client_id: 1, quantity: 5 }], execution: 'BUY' };

  it('reuses the key for a retry of the same request until it settles', () => {
    let n = 0;
    const keys = new SubmissionKey(() => `k${++n}`);
    expect(keys.keyFor(body)).toBe('k1');
    // Network error, the user presses Retry: same body (keys in another order), same key.
    expect(keys.keyFor({ execution: 'BUY', allocations: [{ quantity: 5, client_id: 1 }], token_id: 2885 })).toBe('k1');
    keys.settle();
    expect(keys.pendingKey).toBeNull();
    // The next submission, even identical, is a new one.
    expect(keys.keyFor(body)).toBe('k2');
  });

  it('a changed request gets a new key', () => {
    let n = 0;
    const keys = new SubmissionKey(() => `k${++n}`);
    keys.keyFor(body);
    expect(keys.keyFor({ ...body, allocations: [{ client_id: 1, quantity: 6 }] })).toBe('k2');
  });

  it('canonical JSON ignores key order but not array order', () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: 3 } })).toBe('{"a":{"c":3,"d":2},"b":1}');
    expect(canonicalJson([2, 1])).not.toBe(canonicalJson([1, 2]));
  });
});

describe('isUncertainFailure', () => {
  it('is true when the request may have reached the server', () => {
    expect(isUncertainFailure({ status: 0 })).toBe(true);
    expect(isUncertainFailure({ status: 502 })).toBe(true);
    expect(isUncertainFailure({ status: 408 })).toBe(true);
    expect(isUncertainFailure(new Error('boom'))).toBe(true);
    expect(isUncertainFailure({ status: 422 })).toBe(false);
    expect(isUncertainFailure({ status: 409 })).toBe(false);
  });
});
