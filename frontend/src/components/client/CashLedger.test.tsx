// @vitest-environment jsdom
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import { ApiError } from '@/lib/api';

const GET = vi.fn();
const POST = vi.fn();

vi.mock('@/lib/api', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@/lib/api')>();
  return {
    ...actual,
    client: { GET: (...args: unknown[]) => GET(...args), POST: (...args: unknown[]) => POST(...args) },
    call: async (pending: Promise<unknown>) => pending,
  };
});

const { CashLedger } = await import('./CashLedger');

const LEDGER = {
  client_id: 4,
  balance: '52000.50',
  entries: [
    { id: '0', at: '2026-12-01T03:00:00Z', kind: 'OPENING', description: 'Opening cash', amount: '50000.00', balance: '50000.00' },
    { id: '1', at: '2026-12-01T04:00:00Z', kind: 'DEPOSIT', description: 'cheque 1142', amount: '2500.50', balance: '52500.50' },
    { id: '2', at: '2026-12-01T05:00:00Z', kind: 'WITHDRAWAL', description: 'Withdrawal', amount: '-500.00', balance: '52000.50' },
  ],
};

describe('CashLedger', () => {
  beforeEach(() => {
    GET.mockReset().mockResolvedValue(LEDGER);
    POST.mockReset();
  });

  it('shows the balance and the movements newest first, money out signed and red', async () => {
    render(<CashLedger clientId={4} canEdit />);
    const rows = await screen.findAllByTestId('ledger-row');
    expect(rows.map((r) => within(r).getAllByRole('cell')[1]?.textContent)).toEqual([
      'Withdrawal1 Dec 2026, 10:30:00 IST',
      'Depositcheque 11421 Dec 2026, 09:30:00 IST',
      'Opening cash1 Dec 2026, 08:30:00 IST',
    ]);
    const out = within(rows[0]!).getAllByRole('cell')[2]!;
    expect(out.textContent).toBe('−₹500.00');
    expect(out.className).toContain('text-red-700');
    expect(screen.getByTestId('ledger-balance').textContent).toContain('₹52,000.50');
  });

  it('refuses a bad amount before sending anything', async () => {
    render(<CashLedger clientId={4} canEdit />);
    await screen.findAllByTestId('ledger-row');
    fireEvent.change(screen.getByTestId('cash-amount'), { target: { value: '-5' } });
    fireEvent.click(screen.getByTestId('cash-submit'));
    expect(await screen.findByText(/at most two decimals/)).toBeTruthy();
    expect(POST).not.toHaveBeenCalled();
  });

  it('sends a withdrawal and shows the broker refusal in its own words', async () => {
    POST.mockRejectedValue(
      new ApiError('INSUFFICIENT_CASH', 'INSUFFICIENT_CASH: withdrawing 90000.00, available 52000.50', 409),
    );
    render(<CashLedger clientId={4} canEdit />);
    await screen.findAllByTestId('ledger-row');
    fireEvent.click(screen.getByRole('radio', { name: 'Withdraw' }));
    fireEvent.change(screen.getByTestId('cash-amount'), { target: { value: '90000' } });
    fireEvent.click(screen.getByTestId('cash-submit'));
    await waitFor(() => expect(screen.getByTestId('cash-result').textContent).toContain('available 52000.50'));
    expect(POST.mock.calls[0]?.[1]).toMatchObject({
      params: { path: { client_id: 4 } },
      body: { type: 'withdraw', amount: '90000', note: '' },
    });
  });

  it('has no form for a read-only user, and says so when the broker keeps the cash', async () => {
    GET.mockRejectedValue(new ApiError('CASH_NOT_SUPPORTED', 'motilal accounts are funded at the broker', 409));
    render(<CashLedger clientId={4} canEdit={false} />);
    expect(await screen.findByText(/fund the account there/)).toBeTruthy();
    expect(screen.queryByTestId('cash-form')).toBeNull();
    expect(screen.getByTestId('contract-note-csv')).toBeTruthy();
  });
});
