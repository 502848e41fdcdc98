/**
 * How the desk sizes an order across clients: "Per client" (the grid's typed quantities, sent as
 * `allocations`) or a client group with an allocation method (sent as `group_id` + `allocation`, the
 * server computes each client's quantity). The picker's Zod schema and the execute-all / preview body.
 * Typed by hand from the issue 16 contract until api-schema.d.ts is regenerated with the new body.
 */
import { z } from './zod';

import type { ExecuteAllRequest } from './api-types';
import { cmp, dec, isZero, PLAIN_DECIMAL_RE } from './decimal';
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

type OrderTerms = Omit<ExecuteAllRequest, 'allocations'>;

/** POST /orders/execute-all and POST /orders/preview take this body, either form. */
export type ExecuteBody = ExecuteAllRequest | (OrderTerms & { group_id: number; allocation: Allocation });

export type AllocationMode = 'per_client' | 'group';

const METHOD_VALUES = ALLOCATION_METHODS.map((m) => m.value) as [AllocationMethod, ...AllocationMethod[]];

/** Amounts in rupees with paise at most; generous ceiling so a typo is caught before the server. */
const AMOUNT_MAX = '1000000000';

/** Checks the one typed input for a method. An error message or null. */
export function allocationValueError(method: AllocationMethod, raw: string): string | null {
  const value = raw.trim();
  const { input, inputLabel } = methodInfo(method);
  if (value === '') return `${inputLabel} is required`;
  if (input === 'quantity' || input === 'total_quantity') {
    if (!/^\d+$/.test(value)) return `${inputLabel} must be a whole number`;
    const q = BigInt(value);
    if (q === 0n) return `${inputLabel} must be greater than 0`;
    if (q > BigInt(MAX_QUANTITY)) return `${inputLabel} must be at most ${MAX_QUANTITY}`;
    return null;
  }
  if (!PLAIN_DECIMAL_RE.test(value)) return `${inputLabel} must be a number like ${input === 'amount' ? '50000' : '10.5'}`;
  const d = dec(value);
  if (isZero(d)) return `${inputLabel} must be greater than 0`;
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
    mode: z.enum(['per_client', 'group']),
    group_id: z.string(),
    method: z.enum(METHOD_VALUES),
    value: z.string(),
  })
  .superRefine((v, ctx) => {
    if (v.mode !== 'group') return;
    if (!/^\d+$/.test(v.group_id)) ctx.addIssue({ code: 'custom', path: ['group_id'], message: 'Choose a group' });
    const err = allocationValueError(v.method, v.value);
    if (err) ctx.addIssue({ code: 'custom', path: ['value'], message: err });
  });

export type AllocationPickerValues = z.infer<typeof allocationPickerSchema>;

export const defaultPicker: AllocationPickerValues = { mode: 'per_client', group_id: '', method: 'fixed', value: '' };

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
 * group, the order's terms with `group_id` and `allocation` (the grid's quantities are not sent).
 */
export function toExecuteBody(tokenId: number, order: OrderFormValues, picker: AllocationPickerValues): ExecuteBody {
  if (picker.mode === 'per_client') return toExecuteAllRequest(tokenId, order);
  return {
    token_id: tokenId,
    execution: order.execution,
    order_type: order.order_type,
    trade_type: order.trade_type,
    ...(needsPrice(order.order_type) ? { price: order.price.trim() } : {}),
    ...(needsTrigger(order.order_type) ? { trigger_price: order.trigger_price.trim() } : {}),
    group_id: Number(picker.group_id),
    allocation: toAllocation(picker.method, picker.value),
  };
}

/** "Model A · Fixed quantity 5": the bar's one-line description of a group order. */
export function allocationLabel(groupName: string | undefined, picker: AllocationPickerValues): string {
  const m = methodInfo(picker.method);
  const value = picker.value.trim();
  const shown = value === '' ? '' : m.input === 'amount' ? ` ₹${value}` : m.input === 'percent' ? ` ${value}%` : ` ${value}`;
  return `${groupName ?? 'No group'} · ${m.label}${shown}`;
}
