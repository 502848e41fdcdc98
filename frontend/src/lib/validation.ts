import { z } from './zod';

import type {
  ExecuteAllRequest,
  ExitByTokenRequest,
  Instrument,
  ModifyOrderRequest,
  OrderType,
  TradeType,
} from './api-types';
import { cmp, dec, isMultipleOf, isZero, PLAIN_DECIMAL_RE } from './decimal';
import { needsPrice, needsTrigger } from './orders';
import { slTriggerError } from './ticket-checks';

/**
 * Login form. The email check is deliberately loose (something@something): the server
 * is the authority on which accounts exist, and it says so with "Invalid email or password".
 */
export const loginSchema = z.object({
  email: z
    .string()
    .trim()
    .min(1, { error: 'Email is required', abort: true })
    .regex(/^[^\s@]+@[^\s@]+$/, 'Enter a valid email address'),
  password: z.string().min(1, 'Password is required'),
});

export type LoginValues = z.infer<typeof loginSchema>;

// ───────────────────────── orders ─────────────────────────


/** What the order rules need from an instrument. */
export type InstrumentRules = Pick<Instrument, 'tick_size' | 'lot_size'>;

/** Quantities above this are surely typos (and would not be exact as JS numbers much further up). */
export const MAX_QUANTITY = 10_000_000;

const TRADE_TYPE_VALUES = ['MTF', 'INTRADAY', 'DELIVERY'] as const satisfies readonly TradeType[];
const ORDER_TYPE_VALUES = ['MARKET', 'LIMIT', 'SL', 'SL-M'] as const satisfies readonly OrderType[];

/**
 * Checks a typed price against the instrument's tick size, on decimal strings (no floats).
 * Returns an error message or null.
 */
export function priceError(raw: string, tickSize: string, label = 'Price'): string | null {
  const value = raw.trim();
  if (value === '') return `${label} is required`;
  if (/^-\s*\d+(\.\d+)?$/.test(value)) return `${label} must be more than 0`;
  if (!PLAIN_DECIMAL_RE.test(value)) return `${label} must be a number like 1420.50`;
  const d = dec(value);
  if (isZero(d)) return `${label} must be more than 0`;
  if (!isMultipleOf(d, dec(tickSize))) return `${label} must be a multiple of the tick size ${tickSize}`;
  return null;
}

/**
 * Checks a typed quantity: empty or a whole number ≥ 0, a multiple of the lot size.
 * Returns an error message or null. `allowZero` false requires > 0.
 */
export function quantityError(raw: string, lotSize: number, { allowZero = true } = {}): string | null {
  const value = raw.trim();
  if (value === '') return allowZero ? null : 'Quantity is required';
  // Say what is wrong with what was typed: -5 is a whole number, it is just not more than 0.
  if (/^-\s*\d+(\.\d+)?$/.test(value)) return 'Quantity must be more than 0';
  if (/^\d*\.\d+$/.test(value)) return 'Quantity must be a whole number of shares';
  if (!/^\d+$/.test(value)) return 'Quantity must be a number, like 10';
  const q = BigInt(value);
  if (q === 0n) return allowZero ? null : 'Quantity must be more than 0';
  if (q > BigInt(MAX_QUANTITY)) return `Quantity must be at most ${MAX_QUANTITY}`;
  if (q % BigInt(lotSize) !== 0n) return `Quantity must be a multiple of the lot size ${lotSize}`;
  return null;
}

/** Quantity as typed -> number (empty means 0). Call after validation. */
export const parseQuantity = (raw: string) => (raw.trim() === '' ? 0 : Number(raw.trim()));

/**
 * The desk's order form. `perClient` false (a group with an allocation method sizes the order) leaves
 * the grid's quantities unchecked: they are not sent.
 */
export function orderFormSchema(rules: InstrumentRules, { perClient = true } = {}) {
  return z
    .object({
      trade_type: z.enum(TRADE_TYPE_VALUES),
      order_type: z.enum(ORDER_TYPE_VALUES),
      execution: z.enum(['BUY', 'SELL']),
      price: z.string(),
      trigger_price: z.string(),
      allocations: z.array(z.object({ client_id: z.number().int(), quantity: z.string() })),
    })
    .superRefine((v, ctx) => {
      const priceGiven = v.price.trim() !== '';
      const triggerGiven = v.trigger_price.trim() !== '';
      if (needsPrice(v.order_type)) {
        const err = priceError(v.price, rules.tick_size);
        if (err) ctx.addIssue({ code: 'custom', path: ['price'], message: err });
      } else if (priceGiven) {
        ctx.addIssue({ code: 'custom', path: ['price'], message: `A ${v.order_type} order takes no price` });
      }
      if (needsTrigger(v.order_type)) {
        const err = priceError(v.trigger_price, rules.tick_size, 'Trigger price');
        if (err) ctx.addIssue({ code: 'custom', path: ['trigger_price'], message: err });
      } else if (triggerGiven) {
        ctx.addIssue({
          code: 'custom',
          path: ['trigger_price'],
          message: `A ${v.order_type} order takes no trigger price`,
        });
      }
      const wrongSide = slTriggerError(v.execution, v.order_type, v.price, v.trigger_price);
      if (wrongSide) ctx.addIssue({ code: 'custom', path: ['trigger_price'], message: wrongSide });
      if (!perClient) return;
      let positive = 0;
      v.allocations.forEach((a, i) => {
        const err = quantityError(a.quantity, rules.lot_size);
        if (err) ctx.addIssue({ code: 'custom', path: ['allocations', i, 'quantity'], message: err });
        else if (parseQuantity(a.quantity) > 0) positive++;
      });
      if (positive === 0 && !v.allocations.some((a) => quantityError(a.quantity, rules.lot_size))) {
        ctx.addIssue({
          code: 'custom',
          path: ['allocations'],
          message: 'Enter a quantity for at least one client',
        });
      }
    });
}

export type OrderFormValues = z.infer<ReturnType<typeof orderFormSchema>>;

/** The execute-all body for validated form values: clients with 0 are left out, prices only when used. */
export function toExecuteAllRequest(tokenId: number, v: OrderFormValues): ExecuteAllRequest {
  return {
    token_id: tokenId,
    execution: v.execution,
    order_type: v.order_type,
    trade_type: v.trade_type,
    ...(needsPrice(v.order_type) ? { price: v.price.trim() } : {}),
    ...(needsTrigger(v.order_type) ? { trigger_price: v.trigger_price.trim() } : {}),
    allocations: v.allocations
      .map((a) => ({ client_id: a.client_id, quantity: parseQuantity(a.quantity) }))
      .filter((a) => a.quantity > 0),
  };
}

/** Exit-by-token form: MARKET, or LIMIT with a price on the tick; at least one client. */
export function exitFormSchema(rules: InstrumentRules) {
  return z
    .object({
      order_type: z.enum(['MARKET', 'LIMIT']),
      price: z.string(),
      client_ids: z.array(z.number().int()).min(1, 'Select at least one client'),
    })
    .superRefine((v, ctx) => {
      if (v.order_type === 'LIMIT') {
        const err = priceError(v.price, rules.tick_size);
        if (err) ctx.addIssue({ code: 'custom', path: ['price'], message: err });
      }
    });
}

export type ExitFormValues = z.infer<ReturnType<typeof exitFormSchema>>;

export function toExitRequest(v: ExitFormValues): ExitByTokenRequest {
  return {
    client_ids: v.client_ids,
    order_type: v.order_type,
    ...(v.order_type === 'LIMIT' ? { price: v.price.trim() } : {}),
  };
}

/** Modify an open order: quantity, and the prices its order type uses. */
export function modifyOrderSchema(rules: InstrumentRules, orderType: OrderType) {
  return z
    .object({ quantity: z.string(), price: z.string(), trigger_price: z.string() })
    .superRefine((v, ctx) => {
      const q = quantityError(v.quantity, rules.lot_size, { allowZero: false });
      if (q) ctx.addIssue({ code: 'custom', path: ['quantity'], message: q });
      if (needsPrice(orderType)) {
        const err = priceError(v.price, rules.tick_size);
        if (err) ctx.addIssue({ code: 'custom', path: ['price'], message: err });
      }
      if (needsTrigger(orderType)) {
        const err = priceError(v.trigger_price, rules.tick_size, 'Trigger price');
        if (err) ctx.addIssue({ code: 'custom', path: ['trigger_price'], message: err });
      }
    });
}

export type ModifyOrderValues = z.infer<ReturnType<typeof modifyOrderSchema>>;

/** Only what changed goes in the PATCH. */
export function toModifyRequest(
  original: { quantity: number; price: string | null; trigger_price: string | null },
  orderType: OrderType,
  v: ModifyOrderValues,
): ModifyOrderRequest {
  const body: ModifyOrderRequest = {};
  const quantity = parseQuantity(v.quantity);
  if (quantity !== original.quantity) body.quantity = quantity;
  const same = (a: string | null, b: string) => a !== null && cmp(dec(a), dec(b)) === 0;
  if (needsPrice(orderType) && !same(original.price, v.price.trim())) body.price = v.price.trim();
  if (needsTrigger(orderType) && !same(original.trigger_price, v.trigger_price.trim())) {
    body.trigger_price = v.trigger_price.trim();
  }
  return body;
}

// ───────────────────────── clients ─────────────────────────

export const CREDENTIAL_FIELDS = [
  { name: 'api_key', label: 'API key' },
  { name: 'password', label: 'Broker password' },
  { name: 'two_fa', label: '2FA (DOB / PAN)' },
  { name: 'totp_secret', label: 'TOTP secret' },
  { name: 'api_secret', label: 'API secret' },
] as const;

export type CredentialField = (typeof CREDENTIAL_FIELDS)[number]['name'];

const credentialsShape = z.object({
  api_key: z.string().max(512),
  password: z.string().max(512),
  two_fa: z.string().max(64),
  totp_secret: z
    .string()
    .max(256)
    .refine(
      (s) => s === '' || isTotpSecret(s),
      'TOTP secret: the base32 key from Motilal\'s API portal (letters A-Z, digits 2-7, at least 16 characters)',
    ),
  api_secret: z.string().max(512),
});

/** A base32 key as authenticator apps take it: spaces, dashes, "=" and case ignored; at least 80 bits. */
export function isTotpSecret(secret: string): boolean {
  const cleaned = secret.replace(/[\s=-]/g, '').toUpperCase();
  return /^[A-Z2-7]+$/.test(cleaned) && cleaned.length >= 16;
}

export const clientFormSchema = z.object({
  display_name: z.string().trim().min(1, 'Name is required').max(200),
  broker: z.enum(['simulator', 'motilal']),
  broker_client_id: z
    .string()
    .trim()
    .min(1, { error: 'Broker client id is required', abort: true })
    .max(64)
    .regex(/^[A-Za-z0-9_.-]+$/, 'Letters, digits, "_", "." and "-" only'),
  opening_cash: z
    .string()
    .trim()
    .refine((s) => s === '' || /^\d+(\.\d{1,2})?$/.test(s), 'Opening cash must be an amount like 500000 or 500000.50'),
  is_active: z.boolean(),
  owner_id: z.string(),
  /** Typed secrets; empty means "leave unchanged". */
  credentials: credentialsShape,
  /** Secrets the user asked to clear (sent as ""). */
  clear: z.object({
    api_key: z.boolean(),
    password: z.boolean(),
    two_fa: z.boolean(),
    totp_secret: z.boolean(),
    api_secret: z.boolean(),
  }),
});

export type ClientFormValues = z.infer<typeof clientFormSchema>;

export const emptyClientForm = (): ClientFormValues => ({
  display_name: '',
  broker: 'simulator',
  broker_client_id: '',
  opening_cash: '',
  is_active: true,
  owner_id: '',
  credentials: { api_key: '', password: '', two_fa: '', totp_secret: '', api_secret: '' },
  clear: { api_key: false, password: false, two_fa: false, totp_secret: false, api_secret: false },
});

/** Credentials to send: typed ones, and "" for cleared ones; undefined when nothing changes. */
export function credentialChanges(v: Pick<ClientFormValues, 'credentials' | 'clear'>) {
  const out: Partial<Record<CredentialField, string>> = {};
  for (const { name } of CREDENTIAL_FIELDS) {
    if (v.credentials[name] !== '') out[name] = v.credentials[name];
    else if (v.clear[name]) out[name] = '';
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

export function toClientCreate(v: ClientFormValues) {
  const credentials = credentialChanges(v);
  return {
    display_name: v.display_name,
    broker: v.broker,
    broker_client_id: v.broker_client_id,
    ...(v.opening_cash !== '' ? { opening_cash: v.opening_cash } : {}),
    ...(v.owner_id !== '' ? { owner_id: Number(v.owner_id) } : {}),
    ...(credentials ? { credentials } : {}),
  };
}

/** PATCH body: only the fields that differ from the client as loaded, and only typed/cleared secrets. */
export function toClientUpdate(
  original: { display_name: string; broker_client_id: string; is_active: boolean },
  v: ClientFormValues,
) {
  const credentials = credentialChanges(v);
  return {
    ...(v.display_name !== original.display_name ? { display_name: v.display_name } : {}),
    ...(v.broker_client_id !== original.broker_client_id ? { broker_client_id: v.broker_client_id } : {}),
    ...(v.is_active !== original.is_active ? { is_active: v.is_active } : {}),
    ...(credentials ? { credentials } : {}),
  };
}

// ───────────────────────── users (admin) ─────────────────────────

export const userCreateSchema = z.object({
  email: z
    .string()
    .trim()
    .min(1, { error: 'Email is required', abort: true })
    .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'Enter a valid email address'),
  full_name: z.string().trim().min(1, 'Name is required').max(200),
  role: z.enum(['admin', 'advisor', 'viewer']),
  password: z.string().min(8, 'At least 8 characters').max(256),
});

export type UserCreateValues = z.infer<typeof userCreateSchema>;
