/**
 * Last known quote per token: seeded from GET /market/quotes, then kept current by the socket's
 * `prices` frames (each quote stamped with its frame's `ts`). Latest wins per token: an update
 * older (by `ts`) than what the store holds is dropped, so a late REST snapshot never rolls a
 * live price back (it still brings the day's open/high/low/previous close, which ticks do not carry).
 */
import { create } from 'zustand';

import type { PriceUpdate, PricesFrame, Quote } from '@/lib/api-types';

export type LiveQuote = PriceUpdate & Partial<Pick<Quote, 'open' | 'high' | 'low' | 'prev_close'>>;

export interface QuotesState {
  quotes: Record<number, LiveQuote>;
  /** Applies one quote (with its ts) or REST quote; returns false when it changed nothing (older than the stored one). */
  apply: (update: PriceUpdate | Quote) => boolean;
  applyMany: (updates: ReadonlyArray<PriceUpdate | Quote>) => void;
  /** Applies a `prices` frame: every quote in it, as one store update. */
  applyFrame: (frame: PricesFrame) => void;
  clear: () => void;
}

function time(ts: string | undefined): number {
  if (!ts) return Number.NaN;
  const withZone = ts.includes('T') && !/(?:[zZ]|[+-]\d{2}:?\d{2})$/.test(ts) ? `${ts}Z` : ts;
  return Date.parse(withZone);
}

/** True when `incoming` is at least as new as `current` (unknown times count as new). */
export function isNewer(incoming: string | undefined, current: string | undefined): boolean {
  const a = time(incoming);
  const b = time(current);
  if (Number.isNaN(a) || Number.isNaN(b)) return true;
  return a >= b;
}

/** A frame's quotes, each stamped with the frame's time; nothing from a malformed frame. */
export function frameUpdates(frame: PricesFrame | null | undefined): PriceUpdate[] {
  if (!frame || typeof frame.ts !== 'string' || !Array.isArray(frame.quotes)) return [];
  return frame.quotes.map((q) => ({ ...q, ts: frame.ts }));
}

const DAY_FIELDS = ['open', 'high', 'low', 'prev_close'] as const;

/** The day's open / high / low / previous close a REST quote carries and `current` lacks. */
function dayFacts(current: LiveQuote, update: PriceUpdate | Quote): Partial<LiveQuote> | null {
  const facts: Partial<LiveQuote> = {};
  for (const f of DAY_FIELDS) {
    const v = (update as Partial<Quote>)[f];
    if (v != null && current[f] == null) facts[f] = v;
  }
  return Object.keys(facts).length > 0 ? facts : null;
}

function merge(current: LiveQuote | undefined, update: PriceUpdate | Quote): LiveQuote | null {
  if (current && !isNewer(update.ts, current.ts)) {
    // A REST answer overtaken by a socket tick: its price is old, but the day's figures are still the day's
    // (ticks never carry them), so the ticket's open/high/low/previous close do not stay blank.
    const facts = dayFacts(current, update);
    return facts ? { ...current, ...facts } : null;
  }
  return { ...current, ...update };
}

export const useQuotesStore = create<QuotesState>()((set, get) => ({
  quotes: {},

  apply(update) {
    const next = merge(get().quotes[update.token_id], update);
    if (!next) return false;
    set((s) => ({ quotes: { ...s.quotes, [update.token_id]: next } }));
    return true;
  },

  applyMany(updates) {
    if (updates.length === 0) return;
    set((s) => {
      const quotes = { ...s.quotes };
      for (const u of updates) {
        const next = merge(quotes[u.token_id], u);
        if (next) quotes[u.token_id] = next;
      }
      return { quotes };
    });
  },

  applyFrame(frame) {
    get().applyMany(frameUpdates(frame));
  },

  clear() {
    set({ quotes: {} });
  },
}));

/** The live last price of a token, or undefined. */
export const useLtp = (tokenId: number | null | undefined) =>
  useQuotesStore((s) => (tokenId == null ? undefined : s.quotes[tokenId]?.ltp));
