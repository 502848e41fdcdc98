import { describe, expect, it } from 'vitest';

import dump from './error-codes.json';
import { codeTitle, ERROR_SENTENCES, errorText, fieldErrorsFrom, reasonText } from './errors';
import { ApiError } from './http';

describe('the sentence table', () => {
  it('has a sentence for every code the backend can return (error-codes.json, dumped from the backend)', () => {
    const missing = dump.codes.filter((code) => !ERROR_SENTENCES[code]);
    expect(missing).toEqual([]);
    expect(dump.codes.length).toBeGreaterThan(50);
  });

  it('has no sentence that is machine text', () => {
    for (const [code, { title }] of Object.entries(ERROR_SENTENCES)) {
      expect(title, code).not.toMatch(/[A-Z]{2,}_[A-Z]/);
      expect(title, code).toMatch(/^[A-Z]/);
      expect(title.endsWith('.'), code).toBe(false);
    }
  });
});

describe('reasonText', () => {
  it('turns a margin refusal into a sentence with rupees', () => {
    expect(reasonText('INSUFFICIENT_MARGIN: required 28398000.00, available 499941.50')).toBe(
      'Insufficient margin: needs ₹2,83,98,000.00, available ₹4,99,941.50',
    );
  });

  it('turns the preview’s margin warning and the risk limits’ numbers into rupees', () => {
    expect(reasonText('INSUFFICIENT_MARGIN: Margin required 20.00 is more than the 10.5 available.')).toBe(
      'Insufficient margin: needs ₹20.00, available ₹10.50',
    );
    expect(reasonText('MAX_ORDER_VALUE: Order value 1419000.00 is above the limit of 500000.')).toBe(
      'Order value above the limit: order value ₹14,19,000.00 is above the limit of ₹5,00,000.00',
    );
    expect(
      reasonText('PRICE_BAND: Price 5000 is more than 5% away from the last price 1419.00.'),
    ).toBe('Price outside the allowed band: ₹5,000.00 is more than 5% from the last price ₹1,419.00');
    expect(reasonText("DAILY_LOSS: Today's P&L -25000.50 is beyond the daily loss limit of 20000; only exits go.")).toBe(
      "Daily loss limit reached: today's P&L -₹25,000.50 is beyond the limit of ₹20,000.00; only exits can be sent",
    );
  });

  it('keeps the backend’s words after the title when it knows no better', () => {
    expect(reasonText('CLIENT_INACTIVE: the client is deactivated')).toBe('Client deactivated: the client is deactivated');
    expect(reasonText('NOT_AT_BROKER: the server stopped before the broker confirmed')).toBe(
      'Never reached the broker: the server stopped before the broker confirmed',
    );
  });

  it('turns codes nested in the words and keeps words before the code', () => {
    expect(reasonText('RISK_LIMIT: MAX_ORDER_QUANTITY: Quantity 900 is above the limit of 500.')).toBe(
      'Blocked by a risk limit: Quantity above the limit: Quantity 900 is above the limit of 500.',
    );
    expect(reasonText('The broker refused: INSUFFICIENT_MARGIN: required 20.00, available 5.00')).toBe(
      'The broker refused: Insufficient margin: needs ₹20.00, available ₹5.00',
    );
  });

  it('leaves text without a code alone', () => {
    expect(reasonText('rejected by RMS')).toBe('rejected by RMS');
    expect(reasonText(null)).toBe('');
  });
});

describe('errorText', () => {
  it('shows the API’s message for people, never its code', () => {
    expect(errorText(new ApiError('TRADING_HALTED', 'Trading is halted firm-wide: drill.', 409))).toBe(
      'Trading is halted firm-wide: drill.',
    );
  });

  it('gives the code’s sentence when the API sent no words', () => {
    expect(errorText(new ApiError('TRADING_HALTED', 'TRADING_HALTED', 409))).toBe('Trading is halted');
    expect(errorText(new ApiError('NOT_FOUND', '', 404))).toBe('Not found');
    expect(codeTitle('NO_SUCH_THING')).toBe('NO_SUCH_THING');
  });

  it('turns a machine reason inside the message into a sentence', () => {
    expect(
      errorText(
        new ApiError('INSUFFICIENT_MARGIN', 'The broker refused: INSUFFICIENT_MARGIN: required 28398000.00, available 499941.50', 409),
      ),
    ).toBe('The broker refused: Insufficient margin: needs ₹2,83,98,000.00, available ₹4,99,941.50');
    expect(errorText(new ApiError('MAX_ORDER_VALUE', 'Order value 600000.00 is above the limit of 500000.', 422))).toBe(
      'Order value above the limit: order value ₹6,00,000.00 is above the limit of ₹5,00,000.00',
    );
  });

  it('says a validation failure is about the values given', () => {
    expect(errorText(new ApiError('VALIDATION_ERROR', 'quantity: Input should be greater than 0', 422))).toBe(
      'Check the highlighted values: quantity: Input should be greater than 0',
    );
  });

  it('keeps messages made on this side as they are', () => {
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
