/** Applying live updates to position lists (holders of a token, a client's positions). */
import type { Holder, Position, PositionUpdate } from './api-types';
import { unrealisedPnl } from './decimal';

function pnlAt<F extends string | null>(ltp: string | null | undefined, average: string, netQuantity: number, fallback: F): string | F {
  if (!ltp) return fallback;
  try {
    return unrealisedPnl(ltp, average, netQuantity);
  } catch {
    return fallback;
  }
}

/**
 * Holders of one token after a position_update (a row that went to zero leaves the list). A DELIVERY row may
 * include the client's demat holding (`held_quantity`): the update is the day's DELIVERY position, so the row is
 * the holding plus it, never below zero; its average stays the server's until the list is read again.
 */
export function applyPositionToHolders(
  holders: readonly Holder[],
  u: PositionUpdate,
  clientName: string,
  ltp?: string,
): Holder[] {
  const i = holders.findIndex((h) => h.client_id === u.client_id && h.trade_type === u.trade_type && !h.error);
  const prev = holders[i];
  const held = prev?.held_quantity ?? 0;
  const net = held > 0 ? Math.max(held + u.net_quantity, 0) : u.net_quantity;
  if (net === 0) return i < 0 ? [...holders] : holders.filter((_, j) => j !== i);
  const average = held > 0 && prev ? (prev.average_price ?? u.average_price) : u.average_price;
  const next: Holder = {
    client_id: u.client_id,
    client_name: prev?.client_name ?? clientName,
    trade_type: u.trade_type,
    net_quantity: net,
    held_quantity: Math.min(held, net),
    average_price: average,
    last_price: ltp ?? prev?.last_price ?? null,
    realised_pnl: u.realised_pnl ?? prev?.realised_pnl ?? '0',
    unrealised_pnl: pnlAt(ltp ?? prev?.last_price, average, net, prev?.unrealised_pnl ?? '0'),
  };
  return i < 0 ? [...holders, next] : holders.map((h, j) => (j === i ? next : h));
}

/** A client's positions after a position_update; a closed position stays listed with quantity 0. */
export function applyPositionToPositions(
  positions: readonly Position[],
  u: PositionUpdate,
  symbol: string | undefined,
): Position[] {
  const i = positions.findIndex((p) => p.token_id === u.token_id && p.trade_type === u.trade_type);
  const prev = positions[i];
  if (!prev && u.net_quantity === 0) return [...positions];
  const next: Position = {
    token_id: u.token_id,
    symbol: prev?.symbol ?? symbol ?? String(u.token_id),
    trade_type: u.trade_type,
    net_quantity: u.net_quantity,
    average_price: u.average_price,
    last_price: prev?.last_price ?? null,
    realised_pnl: u.realised_pnl ?? prev?.realised_pnl ?? '0',
    unrealised_pnl: u.net_quantity === 0 ? '0' : pnlAt(prev?.last_price, u.average_price, u.net_quantity, prev?.unrealised_pnl ?? '0'),
  };
  return i < 0 ? [...positions, next] : positions.map((p, j) => (j === i ? next : p));
}

/**
 * Unrealised P&L of a position at the live price when there is one, else the server's figure
 * (null when neither is known).
 */
export function livePnl(
  p: { net_quantity: number; average_price: string | null; unrealised_pnl: string | null },
  ltp?: string | null,
): string | null {
  if (p.net_quantity === 0) return '0';
  if (p.average_price === null) return p.unrealised_pnl;
  return pnlAt(ltp, p.average_price, p.net_quantity, p.unrealised_pnl);
}

/** Holder rows that are real positions (not "could not read this client's books"). */
export const isPosition = (h: Holder) => !h.error && h.net_quantity !== 0;
