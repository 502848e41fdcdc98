'use client';

import { useMemo } from 'react';

import { useApiData } from '@/hooks/useApi';
import { call, client } from '@/lib/api';
import type { Order, Position } from '@/lib/api-types';
import { averagePriceLines, orderPriceLines } from '@/lib/price-lines';

import { PriceChart } from './PriceChart';
import { Button, Card } from './ui';

/** A client's chart of one position's token: that client's waiting orders and average price as lines. */
export function PositionChart({
  tokenId,
  positions,
  openOrders,
  onClose,
}: {
  tokenId: number;
  positions: readonly Position[];
  openOrders: readonly Order[];
  onClose: () => void;
}) {
  // The instrument's tick size sets the price labels' decimals; the chart draws without it meanwhile.
  const instrument = useApiData(`token:${tokenId}`, (signal) =>
    call(client.GET('/api/v1/tokens/{token_id}', { params: { path: { token_id: tokenId } }, signal })),
  );
  const own = useMemo(() => positions.filter((p) => p.token_id === tokenId), [positions, tokenId]);
  const lines = useMemo(
    () => [...orderPriceLines(openOrders, tokenId), ...averagePriceLines(own)],
    [openOrders, own, tokenId],
  );
  const symbol = instrument.data?.symbol ?? own[0]?.symbol ?? `Token ${tokenId}`;
  return (
    <Card data-testid="position-chart">
      <PriceChart
        key={tokenId}
        tokenId={tokenId}
        symbol={symbol}
        tickSize={instrument.data?.tick_size}
        priceLines={lines}
      />
      <div className="flex justify-end">
        <Button variant="ghost" onClick={onClose} data-testid="position-chart-close">
          Close chart
        </Button>
      </div>
    </Card>
  );
}
