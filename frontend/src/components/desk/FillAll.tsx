'use client';

import { useState } from 'react';

import { quantityError } from '@/lib/validation';

import { inputClass } from '../ui';

/**
 * "Fill all" / "Clear" for the desk's per-client quantities: one quantity, checked against the lot size,
 * typed once for every client. `onFill` gets the checked quantity; `lotSize` null while no instrument.
 */
export function FillAll({
  lotSize,
  onFill,
  onClear,
}: {
  lotSize: number | null;
  onFill: (quantity: string) => void;
  onClear: () => void;
}) {
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<string | null>(null);
  const fill = () => {
    if (lotSize === null) return;
    const err = quantityError(typed, lotSize);
    setError(err);
    if (!err) onFill(typed.trim());
  };
  return (
    <div className="flex flex-wrap items-start gap-2">
      <div>
        <label htmlFor="fill-all" className="sr-only">
          Quantity for every client
        </label>
        <input
          id="fill-all"
          data-testid="fill-all-input"
          inputMode="numeric"
          placeholder={`e.g. ${(lotSize ?? 1) * 10}`}
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              fill();
            }
          }}
          aria-invalid={error ? true : undefined}
          className={`${inputClass} w-28`}
        />
      </div>
      <button
        type="button"
        data-testid="fill-all"
        onClick={fill}
        disabled={lotSize === null}
        className="inline-flex min-h-11 items-center rounded-lg border border-slate-300 bg-white px-3 text-sm font-medium hover:bg-slate-100 disabled:opacity-50"
      >
        Fill all
      </button>
      <button
        type="button"
        onClick={onClear}
        className="inline-flex min-h-11 items-center rounded-lg px-3 text-sm font-medium text-slate-700 hover:bg-slate-100"
      >
        Clear
      </button>
      {error && <p className="basis-full text-sm text-red-700">{error}</p>}
    </div>
  );
}
