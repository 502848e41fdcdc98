import { describe, expect, it } from 'vitest';

import {
  clientFormSchema,
  emptyClientForm,
  exitFormSchema,
  loginSchema,
  modifyOrderSchema,
  orderFormSchema,
  toClientCreate,
  toClientUpdate,
  toExecuteAllRequest,
  toExitRequest,
  toModifyRequest,
  userCreateSchema,
  type OrderFormValues,
} from './validation';

function messages(input: unknown): Record<string, string[]> {
  const result = loginSchema.safeParse(input);
  if (result.success) return {};
  const out: Record<string, string[]> = {};
  for (const issue of result.error.issues) {
    const key = issue.path.join('.');
    (out[key] ??= []).push(issue.message);
  }
  return out;
}

describe('loginSchema', () => {
  it('accepts an email and password, trimming the email', () => {
    expect(loginSchema.parse({ email: '  advisor@example.com ', password: 'advisor123' })).toEqual({
      email: 'advisor@example.com',
      password: 'advisor123',
    });
  });

  it('requires both fields', () => {
    expect(messages({ email: '', password: '' })).toEqual({
      email: ['Email is required'],
      password: ['Password is required'],
    });
    expect(messages({ email: '   ', password: 'x' })).toEqual({ email: ['Email is required'] });
  });

  it('rejects something that is not an email', () => {
    expect(messages({ email: 'advisor', password: 'x' })).toEqual({
      email: ['Enter a valid email address'],
    });
    expect(messages({ email: 'a b@example.com', password: 'x' }).email).toBeDefined();
  });

  it('leaves the password as typed (spaces are significant)', () => {
    expect(loginSchema.parse({ email: 'a@b', password: ' pw ' }).password).toBe(' pw ');
  });

  it('rejects missing fields', () => {
    expect(loginSchema.safeParse({}).success).toBe(false);
  });
});


const rules = { tick_size: '0.05', lot_size: 1 };
const lot50 = { tick_size: '0.05', lot_size: 50 };

function order(overrides: Partial<OrderFormValues> = {}): OrderFormValues {
  return {
    trade_type: 'INTRADAY',
    order_type: 'MARKET',
    execution: 'BUY',
    price: '',
    trigger_price: '',
    allocations: [
      { client_id: 1, quantity: '10' },
      { client_id: 2, quantity: '' },
    ],
    ...overrides,
  };
}

function orderIssues(values: unknown, r = rules): Record<string, string[]> {
  const result = orderFormSchema(r).safeParse(values);
  if (result.success) return {};
  const out: Record<string, string[]> = {};
  for (const issue of result.error.issues) (out[issue.path.join('.')] ??= []).push(issue.message);
  return out;
}

describe('orderFormSchema: prices per order type', () => {
  it('MARKET takes no price and no trigger', () => {
    expect(orderIssues(order())).toEqual({});
    expect(orderIssues(order({ price: '1420' }))).toEqual({ price: ['A MARKET order takes no price'] });
    expect(orderIssues(order({ trigger_price: '1420' }))).toEqual({
      trigger_price: ['A MARKET order takes no trigger price'],
    });
  });

  it('LIMIT needs a price and no trigger', () => {
    expect(orderIssues(order({ order_type: 'LIMIT' }))).toEqual({ price: ['Price is required'] });
    expect(orderIssues(order({ order_type: 'LIMIT', price: '1420.05' }))).toEqual({});
    expect(orderIssues(order({ order_type: 'LIMIT', price: '1420.05', trigger_price: '1419' }))).toEqual({
      trigger_price: ['A LIMIT order takes no trigger price'],
    });
  });

  it('SL needs both, SL-M only the trigger', () => {
    expect(orderIssues(order({ order_type: 'SL' }))).toEqual({
      price: ['Price is required'],
      trigger_price: ['Trigger price is required'],
    });
    expect(orderIssues(order({ order_type: 'SL', price: '1421', trigger_price: '1420.5' }))).toEqual({});
    expect(orderIssues(order({ order_type: 'SL-M', trigger_price: '1420.5' }))).toEqual({});
    expect(orderIssues(order({ order_type: 'SL-M', price: '1421', trigger_price: '1420.5' }))).toEqual({
      price: ['A SL-M order takes no price'],
    });
  });

  it('prices are positive multiples of the tick size, checked on the string', () => {
    const limit = (price: string) => orderIssues(order({ order_type: 'LIMIT', price })).price;
    expect(limit('0')).toEqual(['Price must be more than 0']);
    expect(limit('0.00')).toEqual(['Price must be more than 0']);
    expect(limit('-5')).toEqual(['Price must be more than 0']);
    expect(limit('1,420')).toEqual(['Price must be a number like 1420.50']);
    expect(limit('1e3')).toEqual(['Price must be a number like 1420.50']);
    expect(limit('1420.07')).toEqual(['Price must be a multiple of the tick size 0.05']);
    expect(limit('1420.051')).toEqual(['Price must be a multiple of the tick size 0.05']);
    expect(limit('1420.050')).toBeUndefined();
    expect(limit('0.05')).toBeUndefined();
    // Floats get this wrong: 0.3 % 0.1 !== 0.
    expect(orderIssues(order({ order_type: 'LIMIT', price: '0.3' }), { tick_size: '0.1', lot_size: 1 })).toEqual({});
    expect(
      orderIssues(order({ order_type: 'SL-M', trigger_price: '100.02' })).trigger_price,
    ).toEqual(['Trigger price must be a multiple of the tick size 0.05']);
  });
});

describe('orderFormSchema: SL trigger on the wrong side of the limit is refused before sending', () => {
  it('an SL BUY with its trigger above the limit does not pass (every broker rejects it)', () => {
    expect(orderIssues(order({ order_type: 'SL', price: '1420', trigger_price: '1425' }))).toEqual({
      trigger_price: ['For an SL buy the trigger must be at or below the limit price ₹1,420.00'],
    });
    expect(orderIssues(order({ order_type: 'SL', price: '1420', trigger_price: '1420' }))).toEqual({});
  });

  it('an SL SELL with its trigger below the limit does not pass', () => {
    expect(orderIssues(order({ execution: 'SELL', order_type: 'SL', price: '1420', trigger_price: '1415' }))).toEqual({
      trigger_price: ['For an SL sell the trigger must be at or above the limit price ₹1,420.00'],
    });
    expect(orderIssues(order({ execution: 'SELL', order_type: 'SL', price: '1420', trigger_price: '1425' }))).toEqual({});
  });
});

describe('orderFormSchema: quantities', () => {
  const withQty = (...qs: string[]) => order({ allocations: qs.map((quantity, i) => ({ client_id: i + 1, quantity })) });

  it('accepts whole numbers ≥ 0 (empty means 0) in multiples of the lot', () => {
    expect(orderIssues(withQty('50', '0', '', '100'), lot50)).toEqual({});
  });

  it('rejects fractions, negatives, non-numbers and off-lot quantities per row, saying which', () => {
    expect(orderIssues(withQty('50', '2.5', '-50', 'ten', '75'), lot50)).toEqual({
      'allocations.1.quantity': ['Quantity must be a whole number of shares'],
      // -50 is a whole number: what is wrong is its sign (defect 7).
      'allocations.2.quantity': ['Quantity must be more than 0'],
      'allocations.3.quantity': ['Quantity must be a number, like 10'],
      'allocations.4.quantity': ['Quantity must be a multiple of the lot size 50'],
    });
    expect(orderIssues(withQty('100000000'))).toEqual({
      'allocations.0.quantity': ['Quantity must be at most 10000000'],
    });
  });

  it('-5 alone is reported on its row, not as "no quantity entered"', () => {
    expect(orderIssues(withQty('-5', ''))).toEqual({ 'allocations.0.quantity': ['Quantity must be more than 0'] });
  });

  it('needs at least one client with a quantity above 0', () => {
    expect(orderIssues(withQty('0', '', '0'))).toEqual({ allocations: ['Enter a quantity for at least one client'] });
    expect(orderIssues(order({ allocations: [] }))).toEqual({ allocations: ['Enter a quantity for at least one client'] });
  });
});

describe('toExecuteAllRequest', () => {
  it('leaves out clients with 0 and prices the order type does not use', () => {
    expect(
      toExecuteAllRequest(
        2885,
        order({
          order_type: 'LIMIT',
          price: ' 1420.05 ',
          allocations: [
            { client_id: 1, quantity: '10' },
            { client_id: 2, quantity: '0' },
            { client_id: 3, quantity: '' },
            { client_id: 4, quantity: '5' },
          ],
        }),
      ),
    ).toEqual({
      token_id: 2885,
      execution: 'BUY',
      order_type: 'LIMIT',
      trade_type: 'INTRADAY',
      price: '1420.05',
      allocations: [
        { client_id: 1, quantity: 10 },
        { client_id: 4, quantity: 5 },
      ],
    });
    const slm = toExecuteAllRequest(1, order({ order_type: 'SL-M', trigger_price: '99.95', execution: 'SELL' }));
    expect(slm).toMatchObject({ execution: 'SELL', trigger_price: '99.95' });
    expect(slm).not.toHaveProperty('price');
  });
});

describe('exit and modify forms', () => {
  it('exit: market needs nothing, limit needs a price on the tick, one client at least', () => {
    const schema = exitFormSchema(rules);
    expect(schema.safeParse({ order_type: 'MARKET', price: '', client_ids: [1] }).success).toBe(true);
    expect(schema.safeParse({ order_type: 'MARKET', price: '', client_ids: [] }).success).toBe(false);
    expect(schema.safeParse({ order_type: 'LIMIT', price: '1420.03', client_ids: [1] }).success).toBe(false);
    expect(toExitRequest({ order_type: 'LIMIT', price: '1420.05', client_ids: [1, 2] })).toEqual({
      client_ids: [1, 2],
      order_type: 'LIMIT',
      price: '1420.05',
    });
    expect(toExitRequest({ order_type: 'MARKET', price: '9', client_ids: [1] })).toEqual({
      client_ids: [1],
      order_type: 'MARKET',
    });
  });

  it('modify: only what changed is sent', () => {
    const original = { quantity: 10, price: '1420.00', trigger_price: null };
    expect(modifyOrderSchema(rules, 'LIMIT').safeParse({ quantity: '0', price: '1420', trigger_price: '' }).success).toBe(false);
    expect(toModifyRequest(original, 'LIMIT', { quantity: '10', price: '1420', trigger_price: '' })).toEqual({});
    expect(toModifyRequest(original, 'LIMIT', { quantity: '20', price: '1421.5', trigger_price: '' })).toEqual({
      quantity: 20,
      price: '1421.5',
    });
  });
});

describe('client form', () => {
  const client = { display_name: 'Aarav', broker_client_id: 'SIM0001', is_active: true };
  const loaded = () => ({ ...emptyClientForm(), ...client });

  it('sends only typed secrets; empty means unchanged; clear sends ""', () => {
    const v = loaded();
    expect(toClientUpdate(client, v)).toEqual({});
    v.credentials.api_key = 'new-key';
    v.clear.password = true;
    v.clear.totp_secret = false;
    expect(toClientUpdate(client, v)).toEqual({ credentials: { api_key: 'new-key', password: '' } });
  });

  it('sends changed fields only', () => {
    const v = { ...loaded(), display_name: 'Aarav S', is_active: false };
    expect(toClientUpdate(client, v)).toEqual({ display_name: 'Aarav S', is_active: false });
  });

  it('create: credentials only when typed, cash and owner when given', () => {
    const v = { ...emptyClientForm(), display_name: 'New', broker_client_id: 'AB12' };
    expect(toClientCreate(v)).toEqual({ display_name: 'New', broker: 'simulator', broker_client_id: 'AB12' });
    v.opening_cash = '500000';
    v.owner_id = '7';
    v.credentials.two_fa = '01011990';
    expect(toClientCreate(v)).toEqual({
      display_name: 'New',
      broker: 'simulator',
      broker_client_id: 'AB12',
      opening_cash: '500000',
      owner_id: 7,
      credentials: { two_fa: '01011990' },
    });
  });

  it('takes TOTP secrets as authenticator apps do, and refuses what is not base32', () => {
    const form = (totp_secret: string) => ({
      ...emptyClientForm(),
      display_name: 'X',
      broker_client_id: 'EMUM1',
      credentials: { ...emptyClientForm().credentials, totp_secret },
    });
    for (const ok of ['', 'JBSWY3DPEHPK3PXP', 'jbsw y3dp ehpk 3pxp', 'MFRGGZDFMZTWQ2LKNBVXI===']) {
      expect(clientFormSchema.safeParse(form(ok)).success).toBe(true);
    }
    for (const bad of ['JBSWY3DP', 'JBSWY3DPEHPK3PX1', 'not base32 at all!']) {
      expect(clientFormSchema.safeParse(form(bad)).success).toBe(false);
    }
  });

  it('sends the API secret like the other write-only secrets', () => {
    const v = loaded();
    v.credentials.api_secret = 'S3CRET';
    expect(toClientUpdate(client, v)).toEqual({ credentials: { api_secret: 'S3CRET' } });
  });

  it('validates the broker client id and cash', () => {
    const bad = { ...emptyClientForm(), display_name: 'X', broker_client_id: 'has space', opening_cash: '1.234' };
    const issues = clientFormSchema.safeParse(bad);
    expect(issues.success).toBe(false);
    expect(issues.error?.issues.map((i) => i.path.join('.')).sort()).toEqual(['broker_client_id', 'opening_cash']);
  });

  it('user create needs an 8+ character password', () => {
    expect(
      userCreateSchema.safeParse({ email: 'a@b.in', full_name: 'A', role: 'viewer', password: 'short' }).success,
    ).toBe(false);
    expect(
      userCreateSchema.safeParse({ email: 'a@b.in', full_name: 'A', role: 'viewer', password: 'long-enough' }).success,
    ).toBe(true);
  });
});
