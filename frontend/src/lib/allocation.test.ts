import { describe, expect, it } from 'vitest';

import {
  allocationLabel,
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
    ['fixed', '0', 'Quantity must be greater than 0'],
    ['equal_split', '-3', 'Total quantity must be a whole number'],
    ['ratio', '10000001', 'Total quantity must be at most 10000000'],
    ['amount', '1e5', 'Amount per client (₹) must be a number like 50000'],
    ['amount', '100.005', 'Amount takes at most 2 decimal places (paise)'],
    ['amount', '0.00', 'Amount per client (₹) must be greater than 0'],
    ['pct_equity', '100.01', 'Percent must be at most 100'],
    ['available_margin', '0', 'Percent of available margin must be greater than 0'],
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
