import { describe, expect, it } from 'vitest';

import type { RiskLimits } from './api-types';
import {
  emptyHaltForm,
  emptyRiskLimitsForm,
  formatLimit,
  haltFormSchema,
  haltScopeLabel,
  INT32_MAX,
  isLimitSet,
  limitSource,
  limitValueError,
  riskLimitsFormSchema,
  riskLimitsToForm,
  toHaltRequest,
  toResumeRequest,
  toRiskLimitsRequest,
  type RiskLimitsFormValues,
} from './risk';

function form(overrides: Partial<RiskLimitsFormValues> = {}): RiskLimitsFormValues {
  return { ...emptyRiskLimitsForm(), ...overrides };
}

function issues(values: RiskLimitsFormValues): Record<string, string> {
  const result = riskLimitsFormSchema.safeParse(values);
  if (result.success) return {};
  return Object.fromEntries(result.error.issues.map((i) => [i.path.join('.'), i.message]));
}

describe('limitValueError', () => {
  it('accepts blank (no limit) for every kind', () => {
    for (const kind of ['quantity', 'money', 'percent', 'tokens'] as const) {
      expect(limitValueError(kind, '')).toBeNull();
      expect(limitValueError(kind, '   ')).toBeNull();
    }
  });

  it('quantity: a whole number from 1 to the int32 maximum', () => {
    expect(limitValueError('quantity', '500')).toBeNull();
    expect(limitValueError('quantity', ' 1 ')).toBeNull();
    expect(limitValueError('quantity', String(INT32_MAX))).toBeNull();
    expect(limitValueError('quantity', String(INT32_MAX + 1))).toMatch(/At most 2,14,74,83,647/);
    expect(limitValueError('quantity', '0')).toMatch(/At least 1/);
    expect(limitValueError('quantity', '2.5')).toMatch(/whole number/);
    expect(limitValueError('quantity', '-5')).toMatch(/whole number/);
    expect(limitValueError('quantity', '1e3')).toMatch(/whole number/);
  });

  it('money: rupees with at most 2 decimals and 18 integer digits, zero allowed', () => {
    expect(limitValueError('money', '500000')).toBeNull();
    expect(limitValueError('money', '500000.5')).toBeNull();
    expect(limitValueError('money', '500000.50')).toBeNull();
    expect(limitValueError('money', '0')).toBeNull();
    expect(limitValueError('money', '123456789012345678.99')).toBeNull();
    expect(limitValueError('money', '1234567890123456789')).toMatch(/too large/);
    expect(limitValueError('money', '000000000000000000001')).toBeNull();
    expect(limitValueError('money', '10.123')).toMatch(/2 decimals/);
    expect(limitValueError('money', '5,00,000')).toMatch(/amount in rupees/);
    expect(limitValueError('money', '₹500')).toMatch(/amount in rupees/);
    expect(limitValueError('money', '-1')).toMatch(/amount in rupees/);
    expect(limitValueError('money', '1e6')).toMatch(/amount in rupees/);
  });

  it('percent: more than 0, at most 100, 2 decimals', () => {
    expect(limitValueError('percent', '5')).toBeNull();
    expect(limitValueError('percent', '2.5')).toBeNull();
    expect(limitValueError('percent', '100')).toBeNull();
    expect(limitValueError('percent', '100.00')).toBeNull();
    expect(limitValueError('percent', '0.01')).toBeNull();
    expect(limitValueError('percent', '100.01')).toMatch(/At most 100/);
    expect(limitValueError('percent', '0')).toMatch(/More than 0/);
    expect(limitValueError('percent', '0.00')).toMatch(/More than 0/);
    expect(limitValueError('percent', '1.234')).toMatch(/2 decimals/);
    expect(limitValueError('percent', '5%')).toMatch(/percentage/);
  });

  it('tokens: positive ids separated by commas, spaces or new lines', () => {
    expect(limitValueError('tokens', '2885')).toBeNull();
    expect(limitValueError('tokens', '2885, 11536')).toBeNull();
    expect(limitValueError('tokens', '2885,11536\n1594 ')).toBeNull();
    expect(limitValueError('tokens', '2885, RELIANCE')).toMatch(/“RELIANCE” is not a token id/);
    expect(limitValueError('tokens', '0')).toMatch(/“0” is not a token id/);
    expect(limitValueError('tokens', '1.5')).toMatch(/not a token id/);
    expect(limitValueError('tokens', String(INT32_MAX + 1))).toMatch(/not a token id/);
  });
});

describe('riskLimitsFormSchema', () => {
  it('accepts an empty form (no limits at all)', () => {
    expect(issues(form())).toEqual({});
  });

  it('reports each bad field under its name', () => {
    expect(
      issues(form({ max_order_quantity: 'ten', max_order_value: '1.005', price_band_pct: '0', denied_token_ids: 'x' })),
    ).toEqual({
      max_order_quantity: 'A whole number, like 500',
      max_order_value: 'At most 2 decimals (paise)',
      price_band_pct: 'More than 0 (leave it blank for no band)',
      denied_token_ids: '“x” is not a token id: use numbers separated by commas, like 2885, 11536',
    });
  });
});

describe('toRiskLimitsRequest', () => {
  it('sends every limit, null where blank (a PUT replaces the scope)', () => {
    expect(toRiskLimitsRequest(form())).toEqual({
      max_order_quantity: null,
      max_order_value: null,
      price_band_pct: null,
      max_gross_exposure: null,
      max_daily_loss: null,
      allowed_token_ids: null,
      denied_token_ids: null,
    });
  });

  it('keeps money and percentages as exact decimal strings, never numbers', () => {
    const body = toRiskLimitsRequest(
      form({
        max_order_quantity: ' 500 ',
        max_order_value: '12345678901234567.89',
        price_band_pct: '2.50',
        max_gross_exposure: '0050000',
        max_daily_loss: '0.1',
      }),
    );
    expect(body.max_order_quantity).toBe(500);
    expect(body.max_order_value).toBe('12345678901234567.89');
    expect(typeof body.max_order_value).toBe('string');
    expect(body.price_band_pct).toBe('2.50');
    expect(body.max_gross_exposure).toBe('50000');
    expect(body.max_daily_loss).toBe('0.1');
  });

  it('parses token lists, dropping duplicates', () => {
    const body = toRiskLimitsRequest(form({ allowed_token_ids: '2885, 11536\n2885', denied_token_ids: ' 1594 ' }));
    expect(body.allowed_token_ids).toEqual([2885, 11536]);
    expect(body.denied_token_ids).toEqual([1594]);
  });
});

describe('riskLimitsToForm', () => {
  it('shows the API values as typed text, blanks for no limit', () => {
    const limits: RiskLimits = {
      max_order_quantity: 1000,
      max_order_value: '500000.00',
      price_band_pct: null,
      allowed_token_ids: [2885, 11536],
      denied_token_ids: [],
      updated_at: '2026-11-23T08:00:00Z',
      updated_by: 1,
    };
    expect(riskLimitsToForm(limits)).toEqual({
      max_order_quantity: '1000',
      max_order_value: '500000.00',
      price_band_pct: '',
      max_gross_exposure: '',
      max_daily_loss: '',
      allowed_token_ids: '2885, 11536',
      denied_token_ids: '',
    });
    expect(riskLimitsToForm(undefined)).toEqual(emptyRiskLimitsForm());
  });

  it('round-trips through the request builder', () => {
    const limits = { max_order_quantity: 7, max_order_value: '99.95', denied_token_ids: [1, 2] };
    const body = toRiskLimitsRequest(riskLimitsToForm(limits));
    expect(body).toMatchObject(limits);
  });
});

describe('formatLimit / isLimitSet', () => {
  it('formats each kind the Indian way', () => {
    expect(formatLimit('max_order_quantity', 150000)).toBe('1,50,000');
    expect(formatLimit('max_order_value', '1234567.5')).toBe('₹12,34,567.50');
    expect(formatLimit('max_daily_loss', '0')).toBe('₹0.00');
    expect(formatLimit('price_band_pct', '2.50')).toBe('2.50 %');
    expect(formatLimit('allowed_token_ids', [2885, 11536])).toBe('2885, 11536');
  });

  it('says "No limit" for null, absent and an empty list', () => {
    expect(formatLimit('max_order_value', null)).toBe('No limit');
    expect(formatLimit('max_order_value', undefined)).toBe('No limit');
    expect(formatLimit('denied_token_ids', [])).toBe('No limit');
    expect(isLimitSet([])).toBe(false);
    expect(isLimitSet(0)).toBe(true);
    expect(isLimitSet('0')).toBe(true);
  });
});

describe('limitSource', () => {
  const both = {
    limits: { max_order_quantity: 10, denied_token_ids: [1] },
    firm_default: { max_order_quantity: 500, max_order_value: '100000', denied_token_ids: [2] },
  };
  it('the client’s own value wins, else the firm default', () => {
    expect(limitSource('max_order_quantity', both)).toBe('client');
    expect(limitSource('max_order_value', both)).toBe('firm');
    expect(limitSource('price_band_pct', both)).toBe('none');
  });
  it('deny lists add up', () => {
    expect(limitSource('denied_token_ids', both)).toBe('both');
    expect(limitSource('denied_token_ids', { limits: {}, firm_default: { denied_token_ids: [2] } })).toBe('firm');
  });
});

describe('halt form', () => {
  const errorsOf = (v: unknown) => {
    const r = haltFormSchema.safeParse(v);
    return r.success ? {} : Object.fromEntries(r.error.issues.map((i) => [i.path.join('.'), i.message]));
  };

  it('firm-wide needs nothing else; the reason is optional and trimmed', () => {
    expect(errorsOf(emptyHaltForm())).toEqual({});
    expect(toHaltRequest({ ...emptyHaltForm(), reason: '  Exchange outage  ', cancel_open_orders: true })).toEqual({
      scope: 'firm',
      reason: 'Exchange outage',
      cancel_open_orders: true,
    });
  });

  it('one advisor needs the advisor, sent as a number', () => {
    expect(errorsOf({ ...emptyHaltForm(), scope: 'advisor' })).toEqual({ advisor_id: 'Choose the advisor to halt' });
    expect(errorsOf({ ...emptyHaltForm(), scope: 'advisor', advisor_id: '0' })).toEqual({
      advisor_id: 'Choose the advisor to halt',
    });
    const v = haltFormSchema.parse({ ...emptyHaltForm(), scope: 'advisor', advisor_id: '7' });
    expect(toHaltRequest(v)).toEqual({ scope: 'advisor', advisor_id: 7, reason: '', cancel_open_orders: false });
  });

  it('a firm halt never sends an advisor id left over from the select', () => {
    expect(toHaltRequest({ ...emptyHaltForm(), advisor_id: '7' })).not.toHaveProperty('advisor_id');
  });

  it('limits the reason to 500 characters', () => {
    expect(errorsOf({ ...emptyHaltForm(), reason: 'x'.repeat(501) })).toEqual({ reason: 'At most 500 characters' });
  });
});

describe('resume and labels', () => {
  it('resumes exactly the halt shown', () => {
    expect(toResumeRequest({ scope: 'firm', advisor_id: null })).toEqual({ scope: 'firm', reason: '' });
    expect(toResumeRequest({ scope: 'advisor', advisor_id: 7 })).toEqual({ scope: 'advisor', advisor_id: 7, reason: '' });
  });

  it('names the scope', () => {
    const names = new Map([[7, 'Asha Rao']]);
    expect(haltScopeLabel({ scope: 'firm', advisor_id: null }, names)).toBe('Firm-wide');
    expect(haltScopeLabel({ scope: 'advisor', advisor_id: 7 }, names)).toBe('Advisor Asha Rao');
    expect(haltScopeLabel({ scope: 'advisor', advisor_id: 8 }, names)).toBe('Advisor #8');
  });
});
