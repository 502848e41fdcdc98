import type { ReactNode } from 'react';

/** A centred, screen-reader-announced status line for loading and gate states. */
export function FullPageStatus({ children }: { children: ReactNode }) {
  return (
    <div role="status" className="flex min-h-dvh items-center justify-center p-6 text-slate-500">
      {children}
    </div>
  );
}
