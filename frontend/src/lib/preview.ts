/**
 * POST /orders/preview's answer (issue 16 contract), parsed with Zod so a drifted server shape is an
 * error the dialog shows rather than "undefined" in a money cell; and the helpers the confirmation
 * dialog uses to show it: which rows send an order, the warnings by client, each row's verdict.
 */
import { z } from './zod';

const decimal = z.string().regex(/^-?\d+(\.\d+)?$/, 'a decimal string');

const sizingSchema = z.object({
  method: z.string(),
  price: decimal.nullable(),
  price_source: z.enum(['limit', 'market']).nullable(),
  multiplier: decimal,
  inputs: z.record(z.string(), z.unknown()),
  raw_quantity: decimal,
  quantity: z.number().int(),
});

export const WARNING_CODES = [
  'INSUFFICIENT_MARGIN',
  'LOT_ROUNDED',
  'ROUNDS_TO_ZERO',
  'RISK_LIMIT',
  'MARKET_CLOSED',
  'CLIENT_INACTIVE',
  'BOOKS_UNREADABLE',
  'TRADING_HALTED',
] as const;

// Unknown codes are kept (a newer server may add some): the message is what the advisor reads.
const warningSchema = z.object({ code: z.string(), message: z.string() });

const rowSchema = z.object({
  client_id: z.number().int(),
  client_name: z.string(),
  quantity: z.number().int().nonnegative(),
  value: decimal,
  margin_required: decimal,
  margin_available: decimal.nullable(),
  charges: z.object({
    brokerage: decimal,
    stt: decimal,
    exchange_txn: decimal,
    sebi: decimal,
    stamp_duty: decimal,
    gst: decimal,
    total: decimal,
  }),
  risk: z.object({ ok: z.boolean(), code: z.string().nullable(), message: z.string().nullable() }),
  warnings: z.array(warningSchema),
  sizing: sizingSchema.nullable(),
});

export const previewSchema = z.object({
  token_id: z.number().int(),
  symbol: z.string(),
  price: decimal.nullable(),
  price_source: z.enum(['limit', 'market']).nullable(),
  market_open: z.boolean(),
  rows: z.array(rowSchema),
  totals: z.object({
    quantity: z.number().int().nonnegative(),
    value: decimal,
    margin_required: decimal,
    charges_total: decimal,
    /** Rows a kill switch in force covers: above 0, execute-all would be refused whole (409). */
    halted: z.number().int().nonnegative(),
  }),
});

export type Preview = z.infer<typeof previewSchema>;
export type PreviewRow = Preview['rows'][number];
export type PreviewWarning = PreviewRow['warnings'][number];

/** Parses the answer; throws an Error naming the first field that does not fit. */
export function parsePreview(json: unknown): Preview {
  const result = previewSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue?.path.join('.') || 'body';
    throw new Error(`The preview could not be read (${where}: ${issue?.message ?? 'unexpected shape'})`);
  }
  return result.data;
}

/** A row's verdict: `blocked` when no order will go (0 quantity or a failed risk check), `warn` with warnings. */
export type RowVerdict = 'ok' | 'warn' | 'blocked';

export function rowVerdict(row: PreviewRow): RowVerdict {
  if (row.quantity === 0 || !row.risk.ok) return 'blocked';
  return row.warnings.length > 0 ? 'warn' : 'ok';
}

/** Clients that would get an order: quantity above 0 and the risk checks passed. */
export function sendingCount(preview: Preview): number {
  return preview.rows.filter((r) => rowVerdict(r) !== 'blocked').length;
}

/** Warnings the same for many rows (the market closed, one halt): listed once per distinct message. */
const SHARED_WARNINGS = new Set(['MARKET_CLOSED', 'TRADING_HALTED']);

/** A row's warnings without the one repeating its risk verdict (a halt, an inactive client). */
export function rowWarnings(row: PreviewRow): PreviewWarning[] {
  return row.risk.ok ? row.warnings : row.warnings.filter((w) => w.code !== row.risk.code);
}

/**
 * Warnings for the dialog's summary: batch-wide ones (market closed, a halt) once, the rest per client,
 * so a 40-client group closed for the day shows one line, not forty.
 */
export function warningLines(preview: Preview): Array<{ code: string; text: string }> {
  const lines: Array<{ code: string; text: string }> = [];
  const once = new Set<string>();
  for (const row of preview.rows) {
    for (const w of row.warnings) {
      if (SHARED_WARNINGS.has(w.code)) {
        if (!once.has(`${w.code}:${w.message}`)) lines.push({ code: w.code, text: w.message });
        once.add(w.code);
        once.add(`${w.code}:${w.message}`);
      } else {
        lines.push({ code: w.code, text: `${row.client_name}: ${w.message}` });
      }
    }
    // The verdict once: not when a warning already says it (RISK_LIMIT, or its own code such as a halt's).
    if (!row.risk.ok && !row.warnings.some((w) => w.code === 'RISK_LIMIT' || w.code === row.risk.code)) {
      lines.push({ code: row.risk.code ?? 'RISK', text: `${row.client_name}: ${row.risk.message ?? 'refused by a risk check'}` });
    }
  }
  if (!preview.market_open && !once.has('MARKET_CLOSED')) {
    lines.unshift({ code: 'MARKET_CLOSED', text: 'The market is closed: orders wait for the open.' });
  }
  return lines;
}

/** "at the limit price" / "at the last price" / "" for the dialog's note on how values were priced. */
export function priceNote(preview: Preview): string {
  if (preview.price === null) return 'No price to value the orders at.';
  return preview.price_source === 'limit' ? 'Valued at the limit price.' : 'Valued at the last price; market orders fill at the market.';
}
