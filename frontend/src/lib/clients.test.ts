import { describe, expect, it } from 'vitest';

import type { Client } from './api-types';
import { sortClients } from './clients';

const client = (id: number, name: string, cash: string | null, positions = 0): Client => ({
  id,
  owner_id: 1,
  display_name: name,
  broker: 'simulator',
  broker_client_id: `SIM${id}`,
  is_active: true,
  credentials_set: {},
  opening_cash: '0',
  created_at: '2026-11-23T09:00:00Z',
  updated_at: '2026-11-23T09:00:00Z',
  summary:
    cash === null
      ? null
      : {
          cash,
          margin_used: '0',
          margin_available: cash,
          realised_pnl: '0',
          unrealised_pnl: '0',
          open_positions: positions,
        },
  summary_error: cash === null ? 'broker down' : null,
});

describe('sortClients', () => {
  const list = [
    client(1, 'Meera', '9.10'),
    client(2, 'Aarav', '10.05'),
    client(3, 'Kabir', null),
    client(4, 'Diya', '100000000000000000000.01', 2),
  ];
  it('sorts amounts as decimals, not strings or floats', () => {
    expect(sortClients(list, 'cash', 'asc').map((c) => c.id)).toEqual([1, 2, 4, 3]);
    expect(sortClients(list, 'cash', 'desc').map((c) => c.id)).toEqual([4, 2, 1, 3]);
  });
  it('sorts by name and counts; clients without a summary go last', () => {
    expect(sortClients(list, 'name', 'asc').map((c) => c.display_name)).toEqual(['Aarav', 'Diya', 'Kabir', 'Meera']);
    expect(sortClients(list, 'open_positions', 'desc')[0]?.id).toBe(4);
    expect(sortClients(list, 'open_positions', 'desc').at(-1)?.id).toBe(3);
  });
});
