'use client';

import { Checkbox } from '@/components/ui';
import type { MarketStatus } from '@/lib/api-types';
import { PHASE_LABEL, formatOpenIST, isClosed } from '@/lib/market-status';

/**
 * The desk's after-market-order choice, shown only while the market is closed: ticked, the order is sent
 * as an AMO (`amo: true`) that the broker places at the next open; unticked, the server refuses it with
 * MARKET_CLOSED. Self-contained: the ticket owns `value` and puts `amo` in its request body.
 */
export function AmoChoice({
  value,
  onChange,
  status,
  disabled,
}: {
  value: boolean;
  onChange: (amo: boolean) => void;
  status: MarketStatus | undefined;
  disabled?: boolean;
}) {
  if (!status || !isClosed(status)) return null;
  const holiday = status.phase === 'holiday' && status.holiday_name ? `, ${status.holiday_name}` : '';
  return (
    <div
      data-testid="amo-choice"
      className="flex items-start gap-2 rounded-lg border border-amber-300 bg-amber-50 px-2 py-1 text-sm text-amber-950"
    >
      <Checkbox checked={value} onChange={onChange} label="Send as an after-market order (AMO)" testId="amo-toggle" disabled={disabled} />
      <div className="min-w-0 py-2">
        <p className="font-medium">
          Market closed ({PHASE_LABEL[status.phase]}
          {holiday}): send as an after-market order (AMO)
        </p>
        <p className="text-amber-900">
          {value
            ? `Orders go to the broker now and are placed at the open, ${formatOpenIST(status.next_open)}.`
            : `Without AMO, orders are refused until the open, ${formatOpenIST(status.next_open)}.`}
          {status.simulator_always_open && ' The demo simulator trades at any hour; AMO matters for real-broker clients.'}
        </p>
      </div>
    </div>
  );
}
