// @vitest-environment jsdom
import { fireEvent, render, screen, within } from '@testing-library/react';
import { useForm } from 'react-hook-form';
import { beforeEach, describe, expect, it } from 'vitest';

import type { BatchRow, Client, RiskStatus } from '@/lib/api-types';
import type { TicketWarning } from '@/lib/ticket-checks';
import type { OrderFormValues } from '@/lib/validation';
import type { BatchView } from '@/stores/batches';
import { useRiskStore } from '@/stores/risk';

import { DeskActionBar } from './ActionBar';
import { ClientGrid, type GridColumn } from './ClientGrid';
import { ConfirmSummary } from './ConfirmSummary';
import { DeskClientRow } from './DeskClientRow';
import { RetryFailedRows } from './RetryFailedRows';
import { TicketTerms } from './TicketTerms';

const halt = (halted: boolean) =>
  useRiskStore.getState().setStatus({
    firm_halted: halted,
    you_are_halted: halted,
    halts: halted ? [{ id: 1, scope: 'firm', advisor_id: null, reason: 'drill', halted_by: 1, halted_at: '2026-12-01T04:00:00Z' }] : [],
    cancelled_order_ids: [],
    cancel_failures: [],
  } as RiskStatus);

const client = (id: number, name: string, margin: string | null): Client =>
  ({
    id,
    display_name: name,
    broker: 'simulator',
    broker_client_id: `SIM-${id}`,
    is_active: true,
    summary: margin === null ? null : { cash: margin, margin_available: margin, margin_used: '0' },
  }) as unknown as Client;

const barProps = {
  batch: undefined,
  executing: false,
  batchDone: false,
  retryPriced: false,
  tickSize: '0.05',
  onRetried: () => undefined,
  onNewOrder: () => undefined,
  summary: '3 clients',
  formError: undefined,
  sell: false,
  canExecute: true,
};

describe('halted desk (defect 6)', () => {
  beforeEach(() => halt(false));

  it('Execute All is disabled and says "Trading halted" while a halt covers the advisor', () => {
    const { rerender } = render(<DeskActionBar {...barProps} halted={false} />);
    expect(screen.getByTestId('execute-all')).toHaveProperty('disabled', false);
    expect(screen.getByTestId('execute-all').textContent).toBe('Execute All Orders');
    rerender(<DeskActionBar {...barProps} halted />);
    expect(screen.getByTestId('execute-all')).toHaveProperty('disabled', true);
    expect(screen.getByTestId('execute-all').textContent).toBe('Trading halted');
  });

  const rejected: BatchRow = {
    client_id: 4,
    client_name: 'Asha',
    order_id: 9,
    status: 'REJECTED',
    reason: 'RMS: no margin',
    trade_type: 'INTRADAY',
    quantity: 5,
    filled_quantity: 0,
    average_price: null,
  };
  const finished: BatchView = {
    batch_id: 3,
    kind: 'EXECUTE_ALL',
    token_id: 2885,
    status: 'COMPLETED',
    keys: ['9'],
    rows: { '9': rejected },
    total: 1,
  };

  it('offers "Retry failed rows" only when the retry could succeed', () => {
    const { rerender } = render(<RetryFailedRows view={finished} priced={false} tickSize="0.05" onRetried={() => undefined} />);
    expect(screen.getByTestId('retry-failed').textContent).toBe('Retry failed rows (1)');
    halt(true);
    rerender(<RetryFailedRows view={finished} priced={false} tickSize="0.05" onRetried={() => undefined} />);
    expect(screen.queryByTestId('retry-failed')).toBeNull();
  });
});

function Terms({ warnings, errorOn }: { warnings: TicketWarning[]; errorOn?: string }) {
  const form = useForm<OrderFormValues>({
    defaultValues: { trade_type: 'INTRADAY', order_type: 'LIMIT', execution: 'BUY', price: '100', trigger_price: '', allocations: [] },
  });
  const errors = errorOn ? { price: { type: 'custom', message: errorOn } } : {};
  return (
    <TicketTerms
      instrument={{ token_id: 2885, symbol: 'RELIANCE', tick_size: '0.05', lot_size: 1 } as never}
      disabled={false}
      canTrade
      execution="BUY"
      tradeType="INTRADAY"
      orderType="LIMIT"
      register={form.register}
      errors={errors}
      warnings={warnings}
      onExecution={() => undefined}
      onTradeType={() => undefined}
      onOrderType={() => undefined}
    />
  );
}

describe('ticket warnings (defect 2)', () => {
  const far: TicketWarning = { code: 'FAR_FROM_LAST', field: 'price', message: 'Limit ₹100.00 is 92% below the last price ₹1,419.00' };

  it('shows a far-from-last warning under the limit price, tied to the field for screen readers', () => {
    render(<Terms warnings={[far]} />);
    const warning = screen.getByTestId('ticket-warning');
    expect(warning.textContent).toBe(far.message);
    expect(screen.getByLabelText('Limit price').getAttribute('aria-describedby')).toBe('order-price-note');
  });

  it('a refusal on the same field is shown instead of the warning', () => {
    render(<Terms warnings={[far]} errorOn="Price must be more than 0" />);
    expect(screen.queryByTestId('ticket-warning')).toBeNull();
    expect(screen.getByText('Price must be more than 0')).toBeTruthy();
  });
});

describe('rows above margin (defect 2)', () => {
  it('a desk row whose BUY value exceeds its margin is flagged with both amounts', () => {
    render(
      <DeskClientRow
        client={client(4, 'Asha', '500000.00')}
        holders={[]}
        hasInstrument
        lot={1}
        cell={{ kind: 'input', field: { name: 'q', onChange: async () => undefined, onBlur: async () => undefined, ref: () => undefined }, typed: '100000', disabled: false }}
        flag={{ value: '141900000.00', available: '500000.00' }}
      />,
    );
    expect(screen.getByTestId('client-row').getAttribute('data-over-margin')).toBe('true');
    expect(screen.getByTestId('client-row-margin-flag').textContent).toBe(
      '₹14,19,00,000.00 is above the margin available ₹5,00,000.00',
    );
  });

  it('the confirmation lists each client’s order value against its margin and marks the one above it', () => {
    const values: OrderFormValues = {
      trade_type: 'INTRADAY',
      order_type: 'LIMIT',
      execution: 'BUY',
      price: '1419',
      trigger_price: '',
      allocations: [
        { client_id: 1, quantity: '10' },
        { client_id: 2, quantity: '1000' },
        { client_id: 3, quantity: '' },
      ],
    };
    render(
      <ConfirmSummary
        instrument={{ token_id: 2885, symbol: 'RELIANCE', tick_size: '0.05', lot_size: 1 } as never}
        values={values}
        summary={{ clients: 2, quantity: 1010, value: '1433190.00' }}
        ltp="1419"
        clients={[client(1, 'Asha', '500000.00'), client(2, 'Bala', '500000.00'), client(3, 'Chitra', '1.00')]}
      />,
    );
    const lines = screen.getAllByTestId('confirm-line');
    expect(lines).toHaveLength(2);
    expect(lines[0]!.textContent).toContain('value ₹14,190.00 · margin available ₹5,00,000.00');
    expect(lines[0]!.getAttribute('data-over-margin')).toBeNull();
    expect(lines[1]!.textContent).toContain('value ₹14,19,000.00 · margin available ₹5,00,000.00 · above margin');
    expect(lines[1]!.getAttribute('data-over-margin')).toBe('true');
  });
});

describe('ClientGrid (defect 8: sortable, filterable, one grid for desk and exit)', () => {
  type Row = { id: number; name: string; margin: string };
  const rows: Row[] = [
    { id: 1, name: 'Asha', margin: '9.50' },
    { id: 2, name: 'Bala', margin: '100.00' },
    { id: 3, name: 'Chitra', margin: '10.00' },
    { id: 4, name: 'Dev', margin: '0.00' },
    { id: 5, name: 'Esha', margin: '55.00' },
    { id: 6, name: 'Farid', margin: '1.00' },
  ];
  const columns: GridColumn<Row>[] = [
    { id: 'name', header: 'Client', track: '1fr', cell: (r) => r.name, sortValue: (r) => r.name },
    { id: 'margin', header: 'Margin', track: '1fr', align: 'right', cell: (r) => r.margin, sortValue: (r) => r.margin },
  ];
  const names = () => screen.getAllByTestId('row').map((li) => within(li).getAllByText(/./)[0]!.textContent);

  it('sorts by a column on header clicks (money as numbers) and filters by name', () => {
    render(<ClientGrid columns={columns} rows={rows} rowKey={(r) => r.id} filterText={(r) => r.name} testId="g" rowTestId="row" />);
    expect(names()).toEqual(['Asha', 'Bala', 'Chitra', 'Dev', 'Esha', 'Farid']);
    fireEvent.click(screen.getByTestId('g-sort-margin'));
    expect(names()).toEqual(['Dev', 'Farid', 'Asha', 'Chitra', 'Esha', 'Bala']);
    fireEvent.click(screen.getByTestId('g-sort-margin'));
    expect(names()[0]).toBe('Bala');
    expect(screen.getByTestId('g-sort-margin').closest('[role=columnheader]')?.getAttribute('aria-sort')).toBe('descending');
    fireEvent.change(screen.getByTestId('g-filter'), { target: { value: 'sha' } });
    expect(names()).toEqual(['Esha', 'Asha']);
    fireEvent.change(screen.getByTestId('g-filter'), { target: { value: 'zzz' } });
    expect(screen.getByTestId('g-no-match').textContent).toBe('No client matches “zzz”.');
  });
});
