'use client';

import type { ReactNode } from 'react';

import type { ApiError } from '@/lib/api';
import type { Client } from '@/lib/api-types';

import { Card, Empty, ErrorAlert, Loading } from '../ui';

import { ClientGrid } from './ClientGrid';
import { deskColumns, deskRowAttrs, type DeskRowContext } from './DeskClientRow';

/** The desk's client card: what to do in the grid, load errors, and the shared client grid with the desk's columns. */
export function DeskClients({
  clients,
  total,
  loading,
  error,
  onReload,
  positionsError,
  onReloadPositions,
  hint,
  context,
  toolbar,
}: {
  clients: readonly Client[] | undefined;
  total: number | undefined;
  loading: boolean;
  error: ApiError | null;
  onReload: () => void;
  positionsError: ApiError | null;
  onReloadPositions: () => void;
  hint: string;
  context: DeskRowContext;
  toolbar: ReactNode;
}) {
  return (
    <Card data-testid="client-grid">
      <div className="mb-2">
        <h2 className="text-base font-semibold">Clients{total !== undefined ? ` (${total})` : ''}</h2>
        <p className="text-xs text-slate-500">{hint}</p>
      </div>
      {error && <ErrorAlert error={error} onRetry={onReload} />}
      {positionsError && <ErrorAlert error={`Positions: ${positionsError.message}`} onRetry={onReloadPositions} />}
      {loading && !clients && <Loading>Loading clients…</Loading>}
      {clients && clients.length === 0 && <Empty testId="clients-empty">No clients yet. Add one on the Clients page.</Empty>}
      {clients && clients.length > 0 && (
        <ClientGrid
          columns={deskColumns(context)}
          rows={clients}
          rowKey={(c) => c.id}
          rowAttrs={deskRowAttrs(context)}
          filterText={(c) => `${c.display_name} ${c.broker_client_id}`}
          testId="desk-grid"
          rowTestId="client-row"
          toolbar={toolbar}
        />
      )}
    </Card>
  );
}
