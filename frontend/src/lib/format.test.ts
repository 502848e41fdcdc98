import { describe, expect, it } from 'vitest';

import {
  changePct,
  dayIST,
  formatINR,
  formatQty,
  formatTimeIST,
  groupIndian,
  parseDecimal,
  signedMoney,
  signedNumber,
  tickDecimals,
} from './format';

describe('groupIndian', () => {
  it.each([
    ['0', '0'],
    ['999', '999'],
    ['1000', '1,000'],
    ['99999', '99,999'],
    ['100000', '1,00,000'],
    ['1234567', '12,34,567'],
    ['10000000', '1,00,00,000'],
    ['123456789012345', '12,34,56,78,90,12,345'],
  ])('%s -> %s', (input, expected) => {
    expect(groupIndian(input)).toBe(expected);
  });
});

describe('formatINR', () => {
  it.each([
    ['0', '₹0.00'],
    ['5', '₹5.00'],
    ['999.9', '₹999.90'],
    ['1234.5', '₹1,234.50'],
    ['100000', '₹1,00,000.00'],
    ['1234567.89', '₹12,34,567.89'],
    ['10000000', '₹1,00,00,000.00'], // one crore
    ['987654321.00', '₹98,76,54,321.00'],
    ['0.05', '₹0.05'],
    ['+42', '₹42.00'],
    ['  7.1 ', '₹7.10'],
    ['.5', '₹0.50'],
    ['0012.30', '₹12.30'],
  ])('%s -> %s', (input, expected) => {
    expect(formatINR(input)).toBe(expected);
  });

  it('puts the minus before the rupee sign', () => {
    expect(formatINR('-1234.5')).toBe('-₹1,234.50');
    expect(formatINR('-10000000.01')).toBe('-₹1,00,00,000.01');
  });

  it('keeps paise exact on values a double cannot hold', () => {
    expect(formatINR('12345678901234.56')).toBe('₹1,23,45,67,89,01,234.56');
    expect(formatINR('-12345678901234.57')).toBe('-₹1,23,45,67,89,01,234.57');
    expect(formatINR('9007199254740993.01')).toBe('₹9,00,71,99,25,47,40,993.01');
    expect(formatINR('123456789012345678901234567890.99')).toBe(
      '₹1,23,45,67,89,01,23,45,67,89,01,23,45,67,890.99',
    );
  });

  it('groups like Intl en-IN on BigInt for many magnitudes', () => {
    const intl = new Intl.NumberFormat('en-IN');
    let n = 7n;
    for (let i = 0; i < 40; i++) {
      n = n * 13n + BigInt(i);
      expect(formatINR(`${n}.42`)).toBe(`₹${intl.format(n)}.42`);
      expect(formatINR(`-${n}.07`)).toBe(`-₹${intl.format(n)}.07`);
    }
  });

  it('rounds half away from zero, carrying through the integer part', () => {
    expect(formatINR('1.005')).toBe('₹1.01'); // 1.005 as a double would round to 1.00
    expect(formatINR('1.004999')).toBe('₹1.00');
    expect(formatINR('99999.995')).toBe('₹1,00,000.00');
    expect(formatINR('-2.345')).toBe('-₹2.35');
    expect(formatINR('12345678901234.565')).toBe('₹1,23,45,67,89,01,234.57');
  });

  it('drops the sign of a value that rounds to zero', () => {
    expect(formatINR('-0.004')).toBe('₹0.00');
    expect(formatINR('-0')).toBe('₹0.00');
  });

  it('accepts the exponent forms of Python Decimal', () => {
    expect(formatINR('1E+7')).toBe('₹1,00,00,000.00');
    expect(formatINR('0E-8')).toBe('₹0.00');
    expect(formatINR('1.2345E+3')).toBe('₹1,234.50');
    expect(formatINR('-5E-3')).toBe('-₹0.01');
  });

  it('honours a custom number of decimals', () => {
    expect(formatINR('1234.5678', { decimals: 4 })).toBe('₹1,234.5678');
    expect(formatINR('1234.5', { decimals: 0 })).toBe('₹1,235');
  });

  it.each(['', 'abc', '1,234.00', '12.3.4', 'NaN', 'Infinity', '₹10', '-', '.'])(
    'rejects %j',
    (input) => {
      expect(() => formatINR(input)).toThrow(RangeError);
    },
  );
});

describe('parseDecimal', () => {
  it('normalises digits', () => {
    expect(parseDecimal('-000123.4500')).toEqual({
      negative: true,
      intDigits: '123',
      fracDigits: '4500',
    });
  });
});

describe('formatQty', () => {
  it.each([
    [0, '0'],
    [75, '75'],
    [1500, '1,500'],
    [150000, '1,50,000'],
    [-250000, '-2,50,000'],
    [12345678, '1,23,45,678'],
    [123456789012345678901234567890n, '1,23,45,67,89,01,23,45,67,89,01,23,45,67,890'],
    ['1000000', '10,00,000'],
    ['2.50', '2.5'],
    [1e21, '1,00,00,00,00,00,00,00,00,00,000'],
  ])('%s -> %s', (input, expected) => {
    expect(formatQty(input)).toBe(expected);
  });

  it('rejects non-finite numbers', () => {
    expect(() => formatQty(Number.NaN)).toThrow(RangeError);
    expect(() => formatQty(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});

describe('formatTimeIST', () => {
  it('converts UTC to Asia/Kolkata (+05:30)', () => {
    expect(formatTimeIST('2026-11-23T08:35:09Z')).toBe('23 Nov 2026, 14:05:09 IST');
  });

  it('rolls over the date', () => {
    expect(formatTimeIST('2026-12-31T18:30:00Z')).toBe('1 Jan 2027, 00:00:00 IST');
    expect(formatTimeIST('2026-09-14T20:15:00.123456Z')).toBe('15 Sep 2026, 01:45:00 IST');
  });

  it('respects an explicit offset', () => {
    expect(formatTimeIST('2026-11-23T14:05:09+05:30')).toBe('23 Nov 2026, 14:05:09 IST');
    expect(formatTimeIST('2026-11-23T03:35:09-05:00')).toBe('23 Nov 2026, 14:05:09 IST');
  });

  it('treats a timestamp without zone as UTC', () => {
    expect(formatTimeIST('2026-11-23T08:35:09')).toBe('23 Nov 2026, 14:05:09 IST');
    expect(formatTimeIST('2026-11-23T08:35:09.5')).toBe('23 Nov 2026, 14:05:09 IST');
  });

  it('uses a 24-hour clock from 00 to 23', () => {
    expect(formatTimeIST('2026-03-01T18:30:00Z')).toBe('2 Mar 2026, 00:00:00 IST');
    expect(formatTimeIST('2026-03-01T18:29:59Z')).toBe('1 Mar 2026, 23:59:59 IST');
  });

  it('rejects garbage', () => {
    expect(() => formatTimeIST('yesterday')).toThrow(RangeError);
  });
});

describe('dayIST', () => {
  it('is the Asia/Kolkata calendar day, not the UTC one', () => {
    expect(dayIST(new Date('2026-11-23T08:35:09Z'))).toBe('2026-11-23');
    expect(dayIST(new Date('2026-11-23T18:29:59Z'))).toBe('2026-11-23');
    expect(dayIST(new Date('2026-11-23T18:30:00Z'))).toBe('2026-11-24');
    expect(dayIST(new Date('2026-12-31T19:00:00Z'))).toBe('2027-01-01');
  });
});

describe('signed amounts', () => {
  it('shows the sign with the rupee amount', () => {
    expect(signedMoney('31.5')).toEqual({ text: '+₹31.50', sign: 1 });
    expect(signedMoney('-31.5')).toEqual({ text: '-₹31.50', sign: -1 });
    expect(signedMoney('-12345678901234.567')).toEqual({ text: '-₹1,23,45,67,89,01,234.57', sign: -1 });
    expect(signedMoney('0')).toEqual({ text: '₹0.00', sign: 0 });
  });

  it('takes the sign of what is shown: a loss that rounds to nothing is no loss', () => {
    expect(signedMoney('-0.004')).toEqual({ text: '₹0.00', sign: 0 });
    expect(signedNumber('-0.001')).toEqual({ text: '0.00', sign: 0 });
  });

  it('is null for something that is not a number', () => {
    expect(signedMoney(null)).toBeNull();
    expect(signedMoney('')).toBeNull();
    expect(signedMoney('abc')).toBeNull();
  });

  it('shows a price change at the instrument’s precision', () => {
    expect(signedNumber('12.3', 2)).toEqual({ text: '+12.30', sign: 1 });
    expect(signedNumber('-0.0025', 4)).toEqual({ text: '-0.0025', sign: -1 });
    expect(signedNumber('1234.5', 2)?.text).toBe('+1,234.50');
  });
});

describe('changePct', () => {
  it.each([
    ['1.234', '+1.23%'],
    ['-0.456', '-0.46%'],
    ['-0.004', '0.00%'],
    ['-0', '0.00%'],
    ['0.005', '+0.01%'],
    ['12', '+12.00%'],
    [null, ''],
    ['x', ''],
  ])('%s -> %s', (input, expected) => {
    expect(changePct(input)).toBe(expected);
  });
});

describe('tickDecimals', () => {
  it.each([
    ['0.05', 2],
    ['0.0025', 4],
    ['1', 2],
    ['0.10', 2],
    [undefined, 2],
  ])('%s -> %s', (tick, expected) => {
    expect(tickDecimals(tick)).toBe(expected);
  });
});
