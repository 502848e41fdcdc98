import { describe, expect, it } from 'vitest';

import { errorText, fieldErrorsFrom } from './errors';
import { ApiError } from './http';

describe('errorText', () => {
  it('shows the API’s message with its code', () => {
    expect(errorText(new ApiError('TRADING_HALTED', 'Trading is halted firm-wide: drill.', 409))).toBe(
      'Trading is halted firm-wide: drill. (TRADING_HALTED)',
    );
  });

  it('leaves out codes made up on this side', () => {
    expect(errorText(new ApiError('NETWORK_ERROR', 'Cannot reach the server.', 0))).toBe('Cannot reach the server.');
    expect(errorText(new ApiError('HTTP_502', 'Bad Gateway', 502))).toBe('Bad Gateway');
  });

  it('has a generic text for anything else', () => {
    expect(errorText(new Error('boom'))).toBe('Something went wrong. Please try again.');
    expect(errorText(undefined)).toBe('Something went wrong. Please try again.');
  });
});

describe('fieldErrorsFrom', () => {
  const fields = ['max_order_value', 'price_band_pct'] as const;

  it('maps a 422’s details.errors onto the form’s fields', () => {
    const err = new ApiError('VALIDATION_ERROR', 'max_order_value: bad', 422, {
      errors: [
        { loc: ['body', 'max_order_value'], msg: 'Decimal input should have no more than 2 decimal places', type: 'x' },
        { loc: ['body', 'max_order_value'], msg: 'second', type: 'x' },
        { loc: ['body', 'price_band_pct'], msg: 'Input should be less than or equal to 100', type: 'x' },
        { loc: ['body', 'unknown_field'], msg: 'ignored', type: 'x' },
        { loc: ['query', 'limit'], msg: 'ignored', type: 'x' },
        'not an error object',
      ],
    });
    expect(fieldErrorsFrom(err, fields)).toEqual({
      max_order_value: 'Decimal input should have no more than 2 decimal places',
      price_band_pct: 'Input should be less than or equal to 100',
    });
  });

  it('is empty for other errors', () => {
    expect(fieldErrorsFrom(new ApiError('TRADING_HALTED', 'x', 409), fields)).toEqual({});
    expect(fieldErrorsFrom(new ApiError('VALIDATION_ERROR', 'x', 422), fields)).toEqual({});
    expect(fieldErrorsFrom(new Error('x'), fields)).toEqual({});
  });
});
