import { describe, expect, it } from 'vitest';

import { ApiError } from './http';
import {
  allocationLabel,
  pickerErrorFrom,
  sizingLine,
  allocationPickerSchema,
  allocationValueError,
  defaultPicker,
  toExecuteBody,
  type AllocationMethod,
  type AllocationPickerValues,
} from './allocation';
import { orderFormSchema, toExecuteAllRequest, type OrderFormValues } from './validation';

const order = (over: Partial<OrderFormValues> = {}): OrderFormValues => ({
  trade_type: 'INTRADAY',
  order_type: 'MARKET',
  execution: 'BUY',
  price: '',
  trigger_price: '',
  allocations: [
    { client_id: 1, quantity: '10' },
    { client_id: 2, quantity: '' },
  ],
  ...over,
});

const group = (method: AllocationMethod, value: string): AllocationPickerValues => ({
  mode: 'group',
  group_id: '7',
  client_ids: [],
  method,
  value,
});

describe('toExecuteBody', () => {
  it('per client: exactly the explicit allocations body the desk sent before groups', () => {
    const values = order({ order_type: 'LIMIT', price: '1420.05' });
    const body = toExecuteBody(2885, values, { ...defaultPicker, group_id: '7', value: '5' });
    expect(body).toEqual(toExecuteAllRequest(2885, values));
    expect(body).toEqual({
      token_id: 2885,
      execution: 'BUY',
      order_type: 'LIMIT',
      trade_type: 'INTRADAY',
      price: '1420.05',
      allocations: [{ client_id: 1, quantity: 10 }],
    });
    expect(body).not.toHaveProperty('group_id');
  });

  it.each<[AllocationMethod, string, Record<string, unknown>]>([
    ['fixed', ' 5 ', { method: 'fixed', quantity: 5 }],
    ['equal_split', '100', { method: 'equal_split', total_quantity: 100 }],
    ['ratio', '30', { method: 'ratio', total_quantity: 30 }],
    ['amount', '50000.50', { method: 'amount', amount: '50000.50' }],
    ['pct_equity', '2.5', { method: 'pct_equity', percent: '2.5' }],
    ['available_margin', '10', { method: 'available_margin', percent: '10' }],
  ])('group, %s: group_id and only that method\'s input; the grid is not sent', (method, value, allocation) => {
    const body = toExecuteBody(2885, order(), group(method, value));
    expect(body).toEqual({
      token_id: 2885,
      execution: 'BUY',
      order_type: 'MARKET',
      trade_type: 'INTRADAY',
      group_id: 7,
      allocation,
    });
  });

  it('group with a stop-loss limit order carries both prices, decimals as strings', () => {
    const body = toExecuteBody(
      2885,
      order({ order_type: 'SL', price: ' 1400.5 ', trigger_price: '1401', execution: 'SELL' }),
      group('amount', '10000'),
    );
    expect(body).toMatchObject({ execution: 'SELL', price: '1400.5', trigger_price: '1401', group_id: 7 });
  });
});

describe('allocationPickerSchema', () => {
  const issues = (v: AllocationPickerValues) => {
    const r = allocationPickerSchema.safeParse(v);
    return r.success ? {} : Object.fromEntries(r.error.issues.map((i) => [i.path.join('.'), i.message]));
  };

  it('per client needs nothing from the picker', () => {
    expect(issues(defaultPicker)).toEqual({});
  });

  it('a group order needs a group and its method\'s input', () => {
    expect(issues({ ...group('fixed', ''), group_id: '' })).toEqual({
      group_id: 'Choose a group',
      value: 'Quantity is required',
    });
  });

  it.each<[AllocationMethod, string, string]>([
    ['fixed', '2.5', 'Quantity must be a whole number'],
    ['fixed', '0', 'Quantity must be more than 0'],
    ['fixed', '-5', 'Quantity must be more than 0'],
    ['equal_split', '-3', 'Total quantity must be more than 0'],
    ['ratio', '10000001', 'Total quantity must be at most 10000000'],
    ['amount', '1e5', 'Amount per client (₹) must be a number like 50000'],
    ['amount', '100.005', 'Amount takes at most 2 decimal places (paise)'],
    ['amount', '0.00', 'Amount per client (₹) must be more than 0'],
    ['pct_equity', '100.01', 'Percent must be at most 100'],
    ['available_margin', '0', 'Percent of available margin must be more than 0'],
  ])('%s %j: %s', (method, value, message) => {
    expect(allocationValueError(method, value)).toBe(message);
  });

  it.each<[AllocationMethod, string]>([
    ['fixed', '1'],
    ['equal_split', '7'],
    ['amount', '25000.75'],
    ['pct_equity', '100'],
    ['available_margin', '0.5'],
  ])('accepts %s %j', (method, value) => expect(allocationValueError(method, value)).toBeNull());
});

describe('orderFormSchema with a group order', () => {
  const rules = { tick_size: '0.05', lot_size: 1 };
  it('does not ask for grid quantities when a group sizes the order', () => {
    const empty = order({ allocations: [{ client_id: 1, quantity: '' }] });
    expect(orderFormSchema(rules).safeParse(empty).success).toBe(false);
    expect(orderFormSchema(rules, { perClient: false }).safeParse(empty).success).toBe(true);
  });
  it('still checks the price of a group LIMIT order', () => {
    const bad = order({ order_type: 'LIMIT', price: '1420.03' });
    expect(orderFormSchema(rules, { perClient: false }).safeParse(bad).success).toBe(false);
  });
});

describe('allocationLabel', () => {
  it('names the group, the method and its input with its unit', () => {
    expect(allocationLabel('Model A', group('fixed', '5'))).toBe('Model A · Fixed quantity 5');
    expect(allocationLabel('Model A', group('amount', '50000'))).toBe('Model A · Amount (₹) ₹50000');
    expect(allocationLabel(undefined, group('pct_equity', '2'))).toBe('No group · % of equity 2%');
  });
});

describe('selected clients with a method', () => {
  const ticked = (client_ids: number[]): AllocationPickerValues => ({ ...group('equal_split', '10'), mode: 'clients', client_ids });

  it('sends the ticked clients as client_ids with the allocation, never the grid quantities', () => {
    expect(toExecuteBody(2885, order(), ticked([3, 1]))).toEqual({
      token_id: 2885,
      execution: 'BUY',
      order_type: 'MARKET',
      trade_type: 'INTRADAY',
      client_ids: [3, 1],
      allocation: { method: 'equal_split', total_quantity: 10 },
    });
  });

  it('needs at least one ticked client, not a group', () => {
    const issues = (v: AllocationPickerValues) => {
      const r = allocationPickerSchema.safeParse(v);
      return r.success ? {} : Object.fromEntries(r.error.issues.map((i) => [i.path.join('.'), i.message]));
    };
    expect(issues({ ...ticked([]), group_id: '' })).toEqual({ client_ids: 'Tick at least one client in the list below' });
    expect(issues(ticked([1]))).toEqual({});
  });

  it('labels the order by how many clients are ticked', () => {
    expect(allocationLabel('Model A', ticked([1, 2, 3]))).toBe('3 clients · Equal split 10');
    expect(allocationLabel(undefined, ticked([1]))).toBe('1 client · Equal split 10');
  });
});

describe('pickerErrorFrom', () => {
  const refusal = (code: string, status: number, details: unknown) => new ApiError(code, `${code} message`, status, details);

  it.each<[string, ApiError, string | null]>([
    ['details.field of a sizing input', refusal('ALLOCATION_INPUT', 422, { field: 'allocation.percent' }), 'value'],
    ['details.field of the method', refusal('NO_PRICE_FOR_SIZING', 422, { field: 'allocation.method' }), 'method'],
    ['an empty group', refusal('ALLOCATION_INPUT', 422, { field: 'group_id' }), 'group_id'],
    ['a client not on the desk', refusal('CLIENT_NOT_FOUND', 404, { field: 'client_ids' }), 'client_ids'],
    ['a group not on the desk, by code', refusal('GROUP_NOT_FOUND', 404, {}), 'group_id'],
    ['a sized quantity too large', refusal('QUANTITY_TOO_LARGE', 422, { field: 'allocation.quantity' }), 'value'],
    ['a per-client row (not the picker)', refusal('CLIENT_NOT_FOUND', 404, { field: 'allocations' }), null],
    ['a halt', refusal('TRADING_HALTED', 409, { scope: 'firm' }), null],
    ['a price refused', refusal('PRICE_REQUIRED', 422, {}), null],
  ])('%s', (_, err, field) => {
    expect(pickerErrorFrom(err)?.field ?? null).toBe(field);
  });

  it('takes the message of the body validation error at the picker\'s field', () => {
    const err = refusal('VALIDATION_ERROR', 422, {
      errors: [
        { loc: ['body', 'price'], msg: 'not this one' },
        { loc: ['body', 'allocation', 'amount'], msg: 'Decimal input should have no more than 2 decimal places' },
      ],
    });
    expect(pickerErrorFrom(err)).toEqual({ field: 'value', message: 'Decimal input should have no more than 2 decimal places' });
    expect(pickerErrorFrom(new Error('offline'))).toBeNull();
  });
});

describe('sizingLine', () => {
  it('says the method, its inputs, the multiplier, the unrounded and final quantity, and the price used', () => {
    expect(
      sizingLine({
        method: 'amount',
        price: '1400.00',
        price_source: 'limit',
        multiplier: '2.00',
        inputs: { amount: '50000.00' },
        raw_quantity: '71.4285',
        quantity: 70,
      }),
    ).toBe('Amount (₹): amount 50000.00 · ×2.00 = 71.4285 → 70 · at ₹1,400.00 (limit price)');
    expect(
      sizingLine({
        method: 'ratio',
        price: null,
        price_source: null,
        multiplier: '1',
        inputs: { total_quantity: '10', sum_of_multipliers: '6.00' },
        raw_quantity: '1.6666',
        quantity: 1,
      }),
    ).toBe('Ratio: total quantity 10, sum of multipliers 6.00 · ×1 = 1.6666 → 1');
  });
});
