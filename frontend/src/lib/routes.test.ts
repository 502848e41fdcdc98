import { describe, expect, it } from 'vitest';

import { matchPath, placeholderParams } from './routes';

describe('matchPath', () => {
  it('extracts dynamic segments', () => {
    expect(matchPath('/exit/[tokenId]', '/exit/1594')).toEqual({ tokenId: '1594' });
    expect(matchPath('/clients/[id]/orders/[orderId]', '/clients/7/orders/42')).toEqual({
      id: '7',
      orderId: '42',
    });
  });

  it('ignores route groups and a trailing slash', () => {
    expect(matchPath('/(desk)/exit/[tokenId]', '/exit/1594/')).toEqual({ tokenId: '1594' });
  });

  it('decodes segments', () => {
    expect(matchPath('/tokens/[symbol]', '/tokens/M%26M')).toEqual({ symbol: 'M&M' });
  });

  it('returns null on a mismatch', () => {
    expect(matchPath('/exit/[tokenId]', '/exit')).toBeNull();
    expect(matchPath('/exit/[tokenId]', '/exit/1/2')).toBeNull();
    expect(matchPath('/exit/[tokenId]', '/orders/1')).toBeNull();
    expect(matchPath('/exit/[tokenId]', '/exit/%E0%A4')).toBeNull();
  });

  it('returns null for the build-time placeholder', () => {
    expect(matchPath('/exit/[tokenId]', '/exit/_')).toBeNull();
  });
});

describe('placeholderParams', () => {
  it('gives one param set of placeholders', () => {
    expect(placeholderParams('id', 'orderId')).toEqual([{ id: '_', orderId: '_' }]);
  });
});
