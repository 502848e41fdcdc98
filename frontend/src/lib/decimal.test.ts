import { describe, expect, it } from 'vitest';

import { add, cmp, dec, isMultipleOf, mul, notional, signOf, sub, sumStrings, toDecimalString, unrealisedPnl } from './decimal';

describe('decimal', () => {
  it('parses and prints exactly', () => {
    expect(toDecimalString(dec('1420.50'))).toBe('1420.50');
    expect(toDecimalString(dec('-0.05'))).toBe('-0.05');
    expect(toDecimalString(dec('1E+3'))).toBe('1000');
    expect(toDecimalString(dec(75))).toBe('75');
    expect(() => dec(0.1)).toThrow(RangeError);
  });

  it('adds, subtracts and multiplies without float error', () => {
    expect(toDecimalString(add(dec('0.1'), dec('0.2')))).toBe('0.3');
    expect(toDecimalString(sub(dec('1422.10'), dec('1421.857')))).toBe('0.243');
    expect(toDecimalString(mul(dec('1420.05'), dec(3)))).toBe('4260.15');
    expect(toDecimalString(mul(dec('12345678901234.56'), dec(100)))).toBe('1234567890123456.00');
  });

  it('compares across scales', () => {
    expect(cmp(dec('1.50'), dec('1.5'))).toBe(0);
    expect(cmp(dec('-2'), dec('1'))).toBe(-1);
    expect(signOf('-0.00')).toBe(0);
    expect(signOf('0.01')).toBe(1);
  });

  it('checks multiples of a tick size on strings', () => {
    expect(isMultipleOf(dec('1420.05'), dec('0.05'))).toBe(true);
    expect(isMultipleOf(dec('1420.5'), dec('0.05'))).toBe(true);
    expect(isMultipleOf(dec('1420.07'), dec('0.05'))).toBe(false);
    // 0.3 / 0.1 is 2.9999999999999996 in floats; exact here.
    expect(isMultipleOf(dec('0.3'), dec('0.1'))).toBe(true);
    expect(isMultipleOf(dec('1'), dec('0'))).toBe(false);
  });

  it('computes P&L and values', () => {
    expect(unrealisedPnl('1422.10', '1421.85', 35)).toBe('8.75');
    expect(unrealisedPnl('1400', '1421.85', 10)).toBe('-218.50');
    // A short position gains when the price falls.
    expect(unrealisedPnl('1400.00', '1420.00', -10)).toBe('200.00');
    expect(notional('1420.05', 30)).toBe('42601.50');
    expect(sumStrings(['1.10', '-0.10', '2'])).toBe('3.00');
    expect(sumStrings([])).toBe('0');
  });
});
