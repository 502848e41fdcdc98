'use client';

import { useState, type ReactNode } from 'react';

import { Button } from '../ui';

/**
 * A list's filters: always open on a wide screen; on a phone folded behind one "Filters (n)" button
 * so the list comes first. "Reset filters" (when given) sits under the fields.
 */
export function FilterPanel({
  id,
  active,
  onReset,
  columns = 'sm:grid-cols-2 lg:grid-cols-4',
  testId,
  className = '',
  children,
}: {
  id: string;
  /** How many filters are set (shown on the phone's button; Reset is disabled at 0). */
  active: number;
  onReset?: () => void;
  /** The grid's columns from the sm breakpoint up. */
  columns?: string;
  testId?: string;
  className?: string;
  children: ReactNode;
}) {
  const [open, setOpen] = useState(false);
  return (
    <div className={className}>
      <Button
        variant="secondary"
        className="w-full sm:hidden"
        aria-expanded={open}
        aria-controls={id}
        onClick={() => setOpen((v) => !v)}
      >
        Filters{active > 0 ? ` (${active})` : ''} {open ? '▲' : '▼'}
      </Button>
      <div id={id} data-testid={testId} className={`${open ? 'mt-3 grid' : 'hidden'} gap-3 sm:mt-0 sm:grid ${columns}`}>
        {children}
        {onReset && (
          <div className="col-span-full flex justify-end">
            <Button variant="ghost" onClick={onReset} disabled={active === 0}>
              Reset filters
            </Button>
          </div>
        )}
      </div>
    </div>
  );
}
