/**
 * How the desk sizes an order across clients: "Per client" (the grid's typed quantities, sent as
 * `allocations`), a client group with an allocation method (`group_id` + `allocation`), or the clients
 * ticked in the grid with a method (`client_ids` + `allocation`); the server computes each sized
 * client's quantity. The picker's Zod schema, the execute-all / preview body, and the server's
 * refusals mapped back onto the picker's fields.
 */
import { z } from './zod';

import type { ExecuteAllRequest } from './api-types';
import { cmp, dec, isZero, PLAIN_DECIMAL_RE } from './decimal';
import { formatINR } from './format';
import { ApiError } from './http';
import { needsPrice, needsTrigger } from './orders';
import { MAX_QUANTITY, toExecuteAllRequest, type OrderFormValues } from './validation';

export type AllocationMethod = 'fixed' | 'equal_split' | 'ratio' | 'amount' | 'pct_equity' | 'available_margin';

/** Which field of `allocation` a method reads. */
export type AllocationInput = 'quantity' | 'total_quantity' | 'amount' | 'percent';

export const ALLOCATION_METHODS: ReadonlyArray<{
  value: AllocationMethod;
  label: string;
  input: AllocationInput;
  inputLabel: string;
  hint: string;
}> = [
  { value: 'fixed', label: 'Fixed quantity', input: 'quantity', inputLabel: 'Quantity', hint: 'Each client gets this quantity × their multiplier.' },
  { value: 'equal_split', label: 'Equal split', input: 'total_quantity', inputLabel: 'Total quantity', hint: 'The total divided equally; leftover lots go to the first clients.' },
  { value: 'ratio', label: 'Ratio', input: 'total_quantity', inputLabel: 'Total quantity', hint: 'The total divided in proportion to the multipliers.' },
  { value: 'amount', label: 'Amount (₹)', input: 'amount', inputLabel: 'Amount per client (₹)', hint: 'Amount × multiplier ÷ price, per client.' },
  { value: 'pct_equity', label: '% of equity', input: 'percent', inputLabel: 'Percent of equity', hint: 'Percent of each client’s equity (cash + holdings + positions) ÷ price.' },
  { value: 'available_margin', label: '% of available margin', input: 'percent', inputLabel: 'Percent of available margin', hint: 'Percent of each client’s available margin, with the trade type’s leverage, ÷ price.' },
];

export const methodInfo = (m: AllocationMethod) => ALLOCATION_METHODS.find((x) => x.value === m)!;

/** The `allocation` object of the execute-all body: exactly one input, the method's. */
export type Allocation =
  | { method: 'fixed'; quantity: number }
  | { method: 'equal_split' | 'ratio'; total_quantity: number }
  | { method: 'amount'; amount: string }
  | { method: 'pct_equity' | 'available_margin'; percent: string };

type OrderTerms = Omit<ExecuteAllRequest, 'allocations' | 'group_id' | 'client_ids' | 'allocation'>;

/** POST /orders/execute-all and POST /orders/preview take this body, in one of its three forms. */
export type ExecuteBody =
  | ExecuteAllRequest
  | (OrderTerms & { group_id: number; allocation: Allocation })
  | (OrderTerms & { client_ids: number[]; allocation: Allocation });

export type AllocationMode = 'per_client' | 'group' | 'clients';

/** The modes that size by a method (the server computes each quantity; only its preview can be confirmed). */
export const isSized = (mode: AllocationMode) => mode !== 'per_client';

const METHOD_VALUES = ALLOCATION_METHODS.map((m) => m.value) as [AllocationMethod, ...AllocationMethod[]];

/** Amounts in rupees with paise at most; generous ceiling so a typo is caught before the server. */
const AMOUNT_MAX = '1000000000';

/** Checks the one typed input for a method. An error message or null. */
export function allocationValueError(method: AllocationMethod, raw: string): string | null {
  const value = raw.trim();
  const { input, inputLabel } = methodInfo(method);
  if (value === '') return `${inputLabel} is required`;
  // A minus sign is the mistake to name, whatever follows it.
  if (/^-\s*\d+(\.\d+)?$/.test(value)) return `${inputLabel} must be more than 0`;
  if (input === 'quantity' || input === 'total_quantity') {
    if (!/^\d+$/.test(value)) return `${inputLabel} must be a whole number`;
    const q = BigInt(value);
    if (q === 0n) return `${inputLabel} must be more than 0`;
    if (q > BigInt(MAX_QUANTITY)) return `${inputLabel} must be at most ${MAX_QUANTITY}`;
    return null;
  }
  if (!PLAIN_DECIMAL_RE.test(value)) return `${inputLabel} must be a number like ${input === 'amount' ? '50000' : '10.5'}`;
  const d = dec(value);
  if (isZero(d)) return `${inputLabel} must be more than 0`;
  if (input === 'amount') {
    if ((value.split('.')[1] ?? '').length > 2) return 'Amount takes at most 2 decimal places (paise)';
    if (cmp(d, dec(AMOUNT_MAX)) > 0) return `Amount must be at most ${AMOUNT_MAX}`;
    return null;
  }
  if (cmp(d, dec(100)) > 0) return 'Percent must be at most 100';
  if ((value.split('.')[1] ?? '').length > 4) return 'Percent takes at most 4 decimal places';
  return null;
}

export const allocationPickerSchema = z
  .object({
    mode: z.enum(['per_client', 'group', 'clients']),
    group_id: z.string(),
    client_ids: z.array(z.number().int()),
    method: z.enum(METHOD_VALUES),
    value: z.string(),
  })
  .superRefine((v, ctx) => {
    if (v.mode === 'per_client') return;
    if (v.mode === 'group' && !/^\d+$/.test(v.group_id)) {
      ctx.addIssue({ code: 'custom', path: ['group_id'], message: 'Choose a group' });
    }
    if (v.mode === 'clients' && v.client_ids.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['client_ids'], message: 'Tick at least one client in the list below' });
    }
    const err = allocationValueError(v.method, v.value);
    if (err) ctx.addIssue({ code: 'custom', path: ['value'], message: err });
  });

export type AllocationPickerValues = z.infer<typeof allocationPickerSchema>;

/** The picker's fields a server refusal can be shown beside. */
export type PickerField = 'group_id' | 'client_ids' | 'method' | 'value';

export const defaultPicker: AllocationPickerValues = {
  mode: 'per_client',
  group_id: '',
  client_ids: [],
  method: 'fixed',
  value: '',
};

/** The `allocation` object for a validated method and input. */
export function toAllocation(method: AllocationMethod, raw: string): Allocation {
  const value = raw.trim();
  switch (method) {
    case 'fixed':
      return { method, quantity: Number(value) };
    case 'equal_split':
    case 'ratio':
      return { method, total_quantity: Number(value) };
    case 'amount':
      return { method, amount: value };
    case 'pct_equity':
    case 'available_margin':
      return { method, percent: value };
  }
}

/**
 * The body for execute-all and preview: per client, exactly today's explicit `allocations`; for a
 * group or the ticked clients, the order's terms with `group_id` / `client_ids` and `allocation`
 * (the grid's quantities are not sent).
 */
export function toExecuteBody(tokenId: number, order: OrderFormValues, picker: AllocationPickerValues): ExecuteBody {
  if (picker.mode === 'per_client') return toExecuteAllRequest(tokenId, order);
  const terms: OrderTerms = {
    token_id: tokenId,
    execution: order.execution,
    order_type: order.order_type,
    trade_type: order.trade_type,
    ...(needsPrice(order.order_type) ? { price: order.price.trim() } : {}),
    ...(needsTrigger(order.order_type) ? { trigger_price: order.trigger_price.trim() } : {}),
  };
  const allocation = toAllocation(picker.method, picker.value);
  return picker.mode === 'group'
    ? { ...terms, group_id: Number(picker.group_id), allocation }
    : { ...terms, client_ids: [...picker.client_ids], allocation };
}

/** "Model A · Fixed quantity 5" / "3 clients · Fixed quantity 5": the bar's one-line description of a sized order. */
export function allocationLabel(groupName: string | undefined, picker: AllocationPickerValues): string {
  const m = methodInfo(picker.method);
  const value = picker.value.trim();
  const shown = value === '' ? '' : m.input === 'amount' ? ` ₹${value}` : m.input === 'percent' ? ` ${value}%` : ` ${value}`;
  const n = picker.client_ids.length;
  const who = picker.mode === 'clients' ? `${n} client${n === 1 ? '' : 's'}` : (groupName ?? 'No group');
  return `${who} · ${m.label}${shown}`;
}

/** A body path the server names (`details.field`, or a 422's `loc`) as the picker field it belongs to. */
function pickerFieldOf(path: readonly string[]): PickerField | null {
  const [head, sub] = path;
  if (head === 'group_id') return 'group_id';
  if (head === 'client_ids') return 'client_ids';
  if (head !== 'allocation') return null;
  return sub === 'method' ? 'method' : 'value';
}

/** Refusals that name no field but can only be about one. */
const FIELD_OF_CODE: Partial<Record<string, PickerField>> = {
  GROUP_NOT_FOUND: 'group_id',
  NO_PRICE_FOR_SIZING: 'method',
};

/**
 * Where a refused preview or execute-all belongs on the picker: from the error's `details.field`
 * (the allocation refusals), a 422 VALIDATION_ERROR's first `loc` under the body, or its code.
 * Null when the refusal is not about the picker (a halt, a price, the network): shown as it is.
 */
export function pickerErrorFrom(err: unknown): { field: PickerField; message: string } | null {
  if (!(err instanceof ApiError) || (err.status !== 422 && err.status !== 404)) return null;
  const details = (err.details ?? {}) as { field?: unknown; errors?: unknown };
  if (typeof details.field === 'string') {
    const field = pickerFieldOf(details.field.split('.'));
    return field ? { field, message: err.message } : null;
  }
  if (err.code === 'VALIDATION_ERROR' && Array.isArray(details.errors)) {
    for (const e of details.errors as Array<{ loc?: unknown; msg?: unknown }>) {
      if (!Array.isArray(e.loc) || typeof e.msg !== 'string') continue;
      const loc = e.loc.map(String);
      const field = pickerFieldOf(loc[0] === 'body' ? loc.slice(1) : loc);
      if (field) return { field, message: e.msg };
    }
    return null;
  }
  const field = FIELD_OF_CODE[err.code];
  return field ? { field, message: err.message } : null;
}

/** A row's `sizing` as the API gives it (preview rows and batch rows alike). */
export interface SizingFacts {
  method: string;
  price: string | null;
  price_source: 'limit' | 'market' | null;
  multiplier: string;
  inputs: Record<string, string>;
  raw_quantity: string;
  quantity: number;
}

/**
 * How a sized row got its quantity, in one line: "Fixed quantity: quantity 10 · ×2.00 = 20.0000 → 20 ·
 * at ₹1,400.00 (last price)". Shown on the desk once the batch is sent, as the preview showed it.
 */
export function sizingLine(s: SizingFacts): string {
  const label = ALLOCATION_METHODS.find((m) => m.value === s.method)?.label ?? s.method;
  const inputs = Object.entries(s.inputs)
    .map(([name, value]) => `${name.replaceAll('_', ' ')} ${value}`)
    .join(', ');
  const price = s.price === null ? '' : ` · at ${formatINR(s.price)} (${s.price_source === 'limit' ? 'limit price' : 'last price'})`;
  return `${label}: ${inputs} · ×${s.multiplier} = ${s.raw_quantity} → ${s.quantity}${price}`;
}
