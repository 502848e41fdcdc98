// @vitest-environment jsdom
import { beforeEach, describe, expect, it } from 'vitest';

import { loadTerms, saveTerms, termsKey } from './remembered-terms';

describe('remembered desk terms', () => {
  beforeEach(() => localStorage.clear());

  it('gives back what this advisor chose, and nothing to another advisor', () => {
    saveTerms(7, { trade_type: 'DELIVERY', order_type: 'LIMIT' });
    expect(loadTerms(7)).toEqual({ trade_type: 'DELIVERY', order_type: 'LIMIT' });
    expect(loadTerms(8)).toBeNull();
  });

  it('ignores values it does not know', () => {
    localStorage.setItem(termsKey(7), JSON.stringify({ trade_type: 'CNC', order_type: 'SL-M' }));
    expect(loadTerms(7)).toEqual({ order_type: 'SL-M' });
    localStorage.setItem(termsKey(7), '{not json');
    expect(loadTerms(7)).toBeNull();
  });
});
