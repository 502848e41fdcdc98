'use client';

import { useEffect, useRef, useState } from 'react';

import { cmp, dec } from '@/lib/decimal';

export type Flash = 'up' | 'down' | null;

/** How long a tick's colour stays before fading back. */
export const FLASH_MS = 700;

function direction(prev: string, next: string): Flash {
  try {
    const c = cmp(dec(next), dec(prev));
    return c > 0 ? 'up' : c < 0 ? 'down' : null;
  } catch {
    return null;
  }
}

/**
 * 'up' or 'down' for a moment after `price` moves (compared exactly, as decimals), then null: the last price
 * flashes green or red on each tick, as on a trading terminal. The first price seen, and a repeat of the same
 * price, do not flash. `n` counts flashes so the same direction twice restarts the animation.
 */
export function useTickFlash(price: string | undefined): { flash: Flash; n: number } {
  const last = useRef(price);
  const [state, setState] = useState<{ flash: Flash; n: number }>({ flash: null, n: 0 });

  useEffect(() => {
    const prev = last.current;
    last.current = price;
    if (prev === undefined || price === undefined) return;
    const flash = direction(prev, price);
    if (!flash) return;
    setState((s) => ({ flash, n: s.n + 1 }));
    const timer = setTimeout(() => setState((s) => ({ ...s, flash: null })), FLASH_MS);
    return () => clearTimeout(timer);
  }, [price]);

  return state;
}

/** The background of a flashing price. */
export const FLASH_CLASS: Record<'up' | 'down' | 'none', string> = {
  up: 'bg-emerald-100 text-emerald-800',
  down: 'bg-red-100 text-red-800',
  none: 'bg-transparent',
};
