import { describe, expect, it } from 'vitest';

import { rowErrorsLine } from './order-summary';

describe('rowErrorsLine: the footer agrees with the rows (defect 7)', () => {
  it('names the first row to fix and what is wrong, then counts the rest', () => {
    expect(rowErrorsLine([{ name: 'Asha', message: undefined }, { name: 'Bala', message: 'Quantity must be more than 0' }])).toBe(
      'Bala: Quantity must be more than 0',
    );
    expect(
      rowErrorsLine([
        { name: 'Asha', message: 'Quantity must be more than 0' },
        { name: 'Bala', message: 'Quantity must be a whole number of shares' },
        { name: 'Chitra', message: 'Quantity must be a number, like 10' },
      ]),
    ).toBe('Asha: Quantity must be more than 0 (and 2 more rows to fix)');
  });

  it('says nothing when every row is fine', () => {
    expect(rowErrorsLine([{ name: 'Asha', message: undefined }])).toBeUndefined();
  });
});
