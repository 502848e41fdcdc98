/**
 * Showing the API's errors: the message with its machine-readable code, and a 422's field errors
 * mapped back onto form fields.
 */
import { ApiError } from './http';

const GENERIC = 'Something went wrong. Please try again.';

/** Codes made up on this side (no error envelope from the backend): not worth showing. */
function isClientSideCode(code: string): boolean {
  return code === 'NETWORK_ERROR' || code === 'UNEXPECTED' || code === 'INVALID_RESPONSE' || code.startsWith('HTTP_');
}

/** "Trading is halted firm-wide: … (TRADING_HALTED)"; the message alone when the code is ours, not the API's. */
export function errorText(err: unknown): string {
  if (!(err instanceof ApiError)) return GENERIC;
  const message = err.message || GENERIC;
  return isClientSideCode(err.code) ? message : `${message} (${err.code})`;
}

interface FieldError {
  loc: string[];
  msg: string;
}

function isFieldError(v: unknown): v is FieldError {
  if (typeof v !== 'object' || v === null) return false;
  const { loc, msg } = v as Record<string, unknown>;
  return Array.isArray(loc) && loc.every((p) => typeof p === 'string') && typeof msg === 'string';
}

/**
 * A 422 VALIDATION_ERROR's `details.errors` (`[{loc: ["body", "max_order_value"], msg}]`) as
 * `{max_order_value: msg}`, for the fields given; the first message per field wins.
 */
export function fieldErrorsFrom<F extends string>(err: unknown, fields: readonly F[]): Partial<Record<F, string>> {
  const out: Partial<Record<F, string>> = {};
  if (!(err instanceof ApiError) || err.code !== 'VALIDATION_ERROR') return out;
  const details = err.details as { errors?: unknown } | undefined;
  const errors = Array.isArray(details?.errors) ? details.errors : [];
  for (const e of errors) {
    if (!isFieldError(e)) continue;
    const path = e.loc[0] === 'body' ? e.loc.slice(1) : e.loc;
    const field = fields.find((f) => f === path[0]);
    if (field !== undefined && out[field] === undefined) out[field] = e.msg;
  }
  return out;
}
