'use client';

import { useMemo } from 'react';

import { useWaitingOrders } from '@/hooks/useWaitingOrders';
import type { Holder, Instrument } from '@/lib/api-types';
import { averagePriceLines, orderPriceLines } from '@/lib/price-lines';

import { PriceChart } from '../PriceChart';
import { Card } from '../ui';

/** The desk's chart of the selected instrument: the advisor's waiting orders and the clients' average price as lines. */
export function DeskChart({ instrument, holders }: { instrument: Instrument; holders: readonly Holder[] | undefined }) {
  const orders = useWaitingOrders(instrument.token_id);
  const lines = useMemo(
    () => [...orderPriceLines(orders, instrument.token_id), ...averagePriceLines(holders ?? [])],
    [orders, holders, instrument.token_id],
  );
  return (
    <Card>
      <PriceChart
        key={instrument.token_id}
        tokenId={instrument.token_id}
        symbol={instrument.symbol}
        tickSize={instrument.tick_size}
        priceLines={lines}
      />
    </Card>
  );
}
