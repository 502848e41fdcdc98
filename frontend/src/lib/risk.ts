/**
 * Pre-trade risk limits and the kill switch: the limits' labels and kinds, the forms' Zod schemas,
 * the request bodies built from them (money stays a decimal string, never a JS float), and how a
 * limit, its source and a halt are shown.
 */
import { z } from './zod';

import type {
  ClientRiskLimits,
  EffectiveRiskLimits,
  Halt,
  HaltRequest,
  ResumeRequest,
  RiskLimitName,
  RiskLimitsRequest,
} from './api-types';
import { dec, PLAIN_DECIMAL_RE, toDecimalString } from './decimal';
import { formatINR, formatQty } from './format';

/** Quantities and ids are INTEGER columns in the backend. */
export const INT32_MAX = 2_147_483_647;
/** The backend's money limits: NUMERIC(20, 2), so 18 digits before the point. */
const MONEY_INT_DIGITS = 18;
/** The backend caps each token list at this many ids. */
export const MAX_TOKEN_IDS = 10_000;

export type LimitKind = 'quantity' | 'money' | 'percent' | 'tokens';

export interface RiskLimitField {
  name: RiskLimitName;
  label: string;
  kind: LimitKind;
  /** One line under the input. */
  hint: string;
  /** The code an order breaking it is refused with. */
  code: string;
}

export const RISK_LIMIT_FIELDS: readonly RiskLimitField[] = [
  {
    name: 'max_order_quantity',
    label: 'Max order quantity',
    kind: 'quantity',
    hint: 'Largest quantity in one order.',
    code: 'MAX_ORDER_QUANTITY',
  },
  {
    name: 'max_order_value',
    label: 'Max order value',
    kind: 'money',
    hint: 'Quantity × price (the last price for market orders), in ₹.',
    code: 'MAX_ORDER_VALUE',
  },
  {
    name: 'price_band_pct',
    label: 'Price band',
    kind: 'percent',
    hint: 'A limit price at most this % away from the last price.',
    code: 'PRICE_BAND',
  },
  {
    name: 'max_gross_exposure',
    label: 'Max gross exposure',
    kind: 'money',
    hint: 'Open positions’ value plus the new order, in ₹.',
    code: 'GROSS_EXPOSURE',
  },
  {
    name: 'max_daily_loss',
    label: 'Max daily loss',
    kind: 'money',
    hint: 'New orders stop once the day’s P&L is below minus this, in ₹.',
    code: 'DAILY_LOSS',
  },
  {
    name: 'allowed_token_ids',
    label: 'Allowed instruments',
    kind: 'tokens',
    hint: 'Token ids, e.g. 2885, 11536. When set, only these may be traded.',
    code: 'INSTRUMENT_NOT_ALLOWED',
  },
  {
    name: 'denied_token_ids',
    label: 'Denied instruments',
    kind: 'tokens',
    hint: 'Token ids that may never be traded.',
    code: 'INSTRUMENT_NOT_ALLOWED',
  },
];

export const RISK_LIMIT_NAMES = RISK_LIMIT_FIELDS.map((f) => f.name);

// ───────────────────────── the limits form ─────────────────────────

/** Every limit as typed; '' means no limit at this scope. */
export type RiskLimitsFormValues = Record<RiskLimitName, string>;

/** Token ids as typed ("2885, 11536" or one per line) -> their strings; '' -> []. */
function splitTokenIds(raw: string): string[] {
  return raw.split(/[\s,;]+/).filter((t) => t !== '');
}

/** Checks one typed limit; '' (no limit) is always fine. Returns an error message or null. */
export function limitValueError(kind: LimitKind, raw: string): string | null {
  const value = raw.trim();
  if (value === '') return null;
  switch (kind) {
    case 'quantity': {
      if (!/^\d+$/.test(value)) return 'A whole number, like 500';
      const n = BigInt(value);
      if (n < 1n) return 'At least 1 (leave it blank for no limit)';
      if (n > BigInt(INT32_MAX)) return `At most ${formatQty(INT32_MAX)}`;
      return null;
    }
    case 'money': {
      if (!PLAIN_DECIMAL_RE.test(value)) return 'An amount in rupees, like 500000 or 500000.50';
      const [int = '', frac = ''] = value.split('.');
      if (frac.length > 2) return 'At most 2 decimals (paise)';
      if (int.replace(/^0+/, '').length > MONEY_INT_DIGITS) return 'That amount is too large';
      return null;
    }
    case 'percent': {
      if (!PLAIN_DECIMAL_RE.test(value)) return 'A percentage, like 5 or 2.5';
      const [, frac = ''] = value.split('.');
      if (frac.length > 2) return 'At most 2 decimals';
      const d = dec(value);
      if (d.units <= 0n) return 'More than 0 (leave it blank for no band)';
      if (d.units > 100n * 10n ** BigInt(d.scale)) return 'At most 100';
      return null;
    }
    case 'tokens': {
      const ids = splitTokenIds(value);
      const bad = ids.find((t) => !/^\d+$/.test(t) || BigInt(t) < 1n || BigInt(t) > BigInt(INT32_MAX));
      if (bad !== undefined) return `“${bad}” is not a token id: use numbers separated by commas, like 2885, 11536`;
      if (new Set(ids).size > MAX_TOKEN_IDS) return `At most ${formatQty(MAX_TOKEN_IDS)} instruments`;
      return null;
    }
  }
}

const limitText = z.string().max(200_000);

export const riskLimitsFormSchema = z
  .object({
    max_order_quantity: limitText,
    max_order_value: limitText,
    price_band_pct: limitText,
    max_gross_exposure: limitText,
    max_daily_loss: limitText,
    allowed_token_ids: limitText,
    denied_token_ids: limitText,
  } satisfies Record<RiskLimitName, z.ZodString>)
  .superRefine((v, ctx) => {
    for (const field of RISK_LIMIT_FIELDS) {
      const message = limitValueError(field.kind, v[field.name]);
      if (message) ctx.addIssue({ code: 'custom', path: [field.name], message });
    }
  });

export const emptyRiskLimitsForm = (): RiskLimitsFormValues => ({
  max_order_quantity: '',
  max_order_value: '',
  price_band_pct: '',
  max_gross_exposure: '',
  max_daily_loss: '',
  allowed_token_ids: '',
  denied_token_ids: '',
});

/** The form's values for limits as the API sent them (null or absent -> ''). */
export function riskLimitsToForm(limits: Partial<EffectiveRiskLimits> | undefined | null): RiskLimitsFormValues {
  const out = emptyRiskLimitsForm();
  if (!limits) return out;
  for (const { name } of RISK_LIMIT_FIELDS) {
    const value = limits[name];
    if (value == null) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}

/** "0500.50" -> "500.50": a plain decimal string, exactly as typed otherwise. */
function normaliseDecimal(raw: string): string {
  return toDecimalString(dec(raw.trim()));
}

function tokenIds(raw: string): number[] | null {
  const ids = splitTokenIds(raw.trim());
  if (ids.length === 0) return null;
  return [...new Set(ids.map((t) => Number(t)))];
}

/**
 * The PUT body for validated form values: every limit present, null where blank (a PUT replaces
 * the scope's limits). Money and percentages go as decimal strings.
 */
export function toRiskLimitsRequest(v: RiskLimitsFormValues): RiskLimitsRequest {
  const text = (raw: string) => (raw.trim() === '' ? null : normaliseDecimal(raw));
  return {
    max_order_quantity: v.max_order_quantity.trim() === '' ? null : Number(v.max_order_quantity.trim()),
    max_order_value: text(v.max_order_value),
    price_band_pct: text(v.price_band_pct),
    max_gross_exposure: text(v.max_gross_exposure),
    max_daily_loss: text(v.max_daily_loss),
    allowed_token_ids: tokenIds(v.allowed_token_ids),
    denied_token_ids: tokenIds(v.denied_token_ids),
  };
}

// ───────────────────────── showing limits ─────────────────────────

type LimitValue = EffectiveRiskLimits[RiskLimitName];

/** Whether a limit is set: not null/absent (an empty deny list is no limit either). */
export function isLimitSet(value: LimitValue | undefined): boolean {
  if (value == null) return false;
  return !Array.isArray(value) || value.length > 0;
}

/** A limit for people: "₹5,00,000.00", "1,000", "2.5 %", "2885, 11536"; "No limit" when not set. */
export function formatLimit(name: RiskLimitName, value: LimitValue | undefined): string {
  if (value == null || !isLimitSet(value)) return 'No limit';
  const field = RISK_LIMIT_FIELDS.find((f) => f.name === name);
  try {
    switch (field?.kind) {
      case 'quantity':
        return formatQty(value as number);
      case 'money':
        return formatINR(String(value));
      case 'percent':
        return `${String(value)} %`;
      case 'tokens':
        return (value as number[]).join(', ');
      default:
        return String(value);
    }
  } catch {
    return String(value);
  }
}

export type LimitSource = 'client' | 'firm' | 'both' | 'none';

/**
 * Where a client's effective limit comes from: its own value, else the firm default; the deny
 * lists add up ('both' when each has some).
 */
export function limitSource(name: RiskLimitName, limits: Pick<ClientRiskLimits, 'limits' | 'firm_default'>): LimitSource {
  const own = isLimitSet(limits.limits[name]);
  const firm = isLimitSet(limits.firm_default[name]);
  if (name === 'denied_token_ids' && own && firm) return 'both';
  if (own) return 'client';
  if (firm) return 'firm';
  return 'none';
}

export const LIMIT_SOURCE_LABEL: Record<LimitSource, string> = {
  client: 'this client',
  firm: 'firm default',
  both: 'client + firm',
  none: '',
};

// ───────────────────────── kill switch ─────────────────────────

export const haltFormSchema = z
  .object({
    scope: z.enum(['firm', 'advisor']),
    /** A user id as a string ('' = none chosen). */
    advisor_id: z.string(),
    reason: z.string().trim().max(500, 'At most 500 characters'),
    cancel_open_orders: z.boolean(),
  })
  .superRefine((v, ctx) => {
    if (v.scope === 'advisor' && !/^[1-9]\d*$/.test(v.advisor_id)) {
      ctx.addIssue({ code: 'custom', path: ['advisor_id'], message: 'Choose the advisor to halt' });
    }
  });

export type HaltFormValues = z.infer<typeof haltFormSchema>;

export const emptyHaltForm = (): HaltFormValues => ({
  scope: 'firm',
  advisor_id: '',
  reason: '',
  cancel_open_orders: false,
});

export function toHaltRequest(v: HaltFormValues): HaltRequest {
  return {
    scope: v.scope,
    ...(v.scope === 'advisor' ? { advisor_id: Number(v.advisor_id) } : {}),
    reason: v.reason.trim(),
    cancel_open_orders: v.cancel_open_orders,
  };
}

/** The resume body that ends exactly this halt. */
export function toResumeRequest(halt: Pick<Halt, 'scope' | 'advisor_id'>): ResumeRequest {
  if (halt.scope === 'advisor' && halt.advisor_id !== null) {
    return { scope: 'advisor', advisor_id: halt.advisor_id, reason: '' };
  }
  return { scope: 'firm', reason: '' };
}

/** "Firm-wide" or "Advisor Asha Rao" (the id when the name is not known). */
export function haltScopeLabel(halt: Pick<Halt, 'scope' | 'advisor_id'>, names?: ReadonlyMap<number, string>): string {
  if (halt.scope !== 'advisor' || halt.advisor_id === null) return 'Firm-wide';
  return `Advisor ${names?.get(halt.advisor_id) ?? `#${halt.advisor_id}`}`;
}
