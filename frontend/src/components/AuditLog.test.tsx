// @vitest-environment jsdom
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';

import type { AuditEvent } from '@/lib/api-types';
import { json, mockFetch } from '@/test/fetch';

import { AuditLog } from './AuditLog';

const event = (id: number, action: string): AuditEvent => ({
  id,
  ts: '2026-12-01T04:00:00Z',
  actor_id: 1,
  action,
  entity_type: 'risk',
  entity_id: 'firm',
  payload: {},
  prev_hash: '0'.repeat(64),
  hash: 'a'.repeat(64),
});

const page = (items: AuditEvent[]) => ({ items, total: items.length, limit: 50, offset: 0 });

afterEach(() => vi.unstubAllGlobals());

describe('AuditLog', () => {
  it('shows "Trading resumed" in green, not amber like a warning; a halt stays red', async () => {
    mockFetch({
      'GET /api/v1/audit?limit=50&offset=0': () => json(200, page([event(2, 'risk.resume'), event(1, 'risk.halt')])),
    });
    render(<AuditLog users={[]} names={new Map([[1, 'Asha Admin']])} />);
    const resumed = await screen.findByText('Trading resumed');
    expect(resumed.className).toMatch(/emerald/);
    expect(resumed.className).not.toMatch(/amber/);
    expect(screen.getByText('Trading halted').className).toMatch(/red/);
  });

  it('filters by days typed as dd/mm/yyyy and asks the API for YYYY-MM-DD', async () => {
    const calls = mockFetch({
      'GET /api/v1/audit?limit=50&offset=0': () => json(200, page([event(1, 'risk.halt')])),
      'GET /api/v1/audit?date_from=2026-11-05&limit=50&offset=0': () => json(200, page([])),
    });
    render(<AuditLog users={[]} names={new Map()} />);
    await screen.findByText('Trading halted');
    const section = screen.getByTestId('audit-section');
    fireEvent.change(within(section).getByLabelText('From (IST)'), { target: { value: '05/11/2026' } });
    await screen.findByTestId('audit-empty');
    expect(calls.map((c) => c.url)).toContain('/api/v1/audit?date_from=2026-11-05&limit=50&offset=0');
  });

  it('sends nothing for a range that ends before it starts, and says why', async () => {
    const calls = mockFetch({
      'GET /api/v1/audit?limit=50&offset=0': () => json(200, page([])),
      'GET /api/v1/audit?date_to=2026-11-01&limit=50&offset=0': () => json(200, page([])),
    });
    render(<AuditLog users={[]} names={new Map()} />);
    await screen.findByTestId('audit-empty');
    fireEvent.change(screen.getByLabelText('To (IST)'), { target: { value: '01/11/2026' } });
    await waitFor(() => expect(calls).toHaveLength(2));
    fireEvent.change(screen.getByLabelText('From (IST)'), { target: { value: '02/11/2026' } });
    expect(screen.getByRole('alert').textContent).toBe('From must be on or before To.');
    await new Promise((r) => setTimeout(r, 50));
    expect(calls).toHaveLength(2);
  });
});
