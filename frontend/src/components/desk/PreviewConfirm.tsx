'use client';

import { priceNote, rowVerdict, rowWarnings, sendingCount, warningLines, type Preview, type PreviewRow } from '@/lib/preview';
import { money, qty } from '@/lib/format';
import { codeSentence } from '@/lib/errors';



const VERDICT_CLASS = {
  ok: 'border-slate-200',
  warn: 'border-amber-300 bg-amber-50/50',
  blocked: 'border-red-300 bg-red-50/50',
} as const;

function Figure({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs text-slate-500">{label}</dt>
      <dd className="font-semibold tabular-nums break-words" data-testid={testId}>
        {value}
      </dd>
    </div>
  );
}

/** One client's line, as a card (the dialog is narrow at every size): name, then its figures two or four across. */
function Row({ row }: { row: PreviewRow }) {
  const verdict = rowVerdict(row);
  const warnings = rowWarnings(row);
  return (
    <li
      data-testid="preview-row"
      data-client-id={row.client_id}
      data-quantity={row.quantity}
      data-verdict={verdict}
      className={`rounded-lg border p-3 text-sm ${VERDICT_CLASS[verdict]}`}
    >
      <div className="min-w-0 font-medium">
        <span className="block truncate">{row.client_name}</span>
        {row.sizing && (
          <span className="block text-xs font-normal text-slate-500">
            ×{row.sizing.multiplier} → {row.sizing.raw_quantity}
          </span>
        )}
      </div>
      <dl className="mt-1 grid grid-cols-2 gap-x-3 gap-y-1 sm:grid-cols-4">
        <Figure label="Quantity" value={qty(row.quantity)} testId="preview-row-quantity" />
        <Figure label="Value" value={money(row.value)} />
        <div className="min-w-0">
          <dt className="text-xs text-slate-500">Margin needed / free</dt>
          <dd className="tabular-nums break-words">
            {money(row.margin_required)} / {money(row.margin_available)}
          </dd>
        </div>
        <Figure label="Charges" value={money(row.charges.total)} />
      </dl>
      {(warnings.length > 0 || !row.risk.ok) && (
        <ul className="mt-2 space-y-0.5 text-xs" data-testid="preview-row-warnings">
          {!row.risk.ok && (
            <li className="text-red-700">
              {row.risk.code ? codeSentence(row.risk.code, row.risk.message) : (row.risk.message ?? 'Refused by a risk check')}
            </li>
          )}
          {warnings.map((w) => (
            <li key={`${w.code}-${w.message}`} className="text-amber-800" data-code={w.code}>
              {codeSentence(w.code, w.message)}
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}

/** The confirmation step's preview: totals, the batch's warnings, and each client's line. */
export function PreviewConfirm({ preview }: { preview: Preview }) {
  const warnings = warningLines(preview);
  const sending = sendingCount(preview);
  return (
    <div className="space-y-3 text-sm" data-testid="preview">
      <dl className="grid grid-cols-2 gap-2 rounded-lg bg-slate-50 p-3 sm:grid-cols-3">
        <Figure label="Clients" value={String(sending)} testId="confirm-clients" />
        <Figure label="Total quantity" value={qty(preview.totals.quantity)} testId="confirm-quantity" />
        <Figure label="Est. value" value={money(preview.totals.value)} testId="confirm-value" />
        <Figure label="Margin required" value={money(preview.totals.margin_required)} testId="confirm-margin" />
        <Figure label="Charges" value={money(preview.totals.charges_total)} testId="confirm-charges" />
      </dl>
      <p className="text-xs text-slate-500">
        {priceNote(preview)}
        {preview.price ? ` ${money(preview.price)}.` : ''} Charges are estimates (brokerage, STT, exchange, SEBI, stamp
        duty, GST).
      </p>
      {warnings.length > 0 && (
        <ul role="status" className="space-y-1 rounded-lg border border-amber-300 bg-amber-50 p-3 text-xs text-amber-900" data-testid="preview-warnings">
          {warnings.map((w, i) => (
            <li key={i} data-code={w.code}>
              {w.text}
            </li>
          ))}
        </ul>
      )}
      {preview.totals.halted > 0 && (
        <p role="alert" className="rounded-lg border border-red-300 bg-red-50 p-3 text-sm text-red-800" data-testid="preview-halted">
          Trading is halted for {preview.totals.halted} of these {preview.rows.length} clients: Execute All would be
          refused until it is resumed. Exits still work.
        </p>
      )}
      {sending === 0 && (
        <p role="alert" className="text-sm text-red-700" data-testid="preview-nothing">
          No client would get an order.
        </p>
      )}
      <ul className="max-h-[45dvh] space-y-2 overflow-y-auto" data-testid="preview-rows">
        {preview.rows.map((r) => (
          <Row key={r.client_id} row={r} />
        ))}
      </ul>
    </div>
  );
}
