'use client';

/**
 * A simulated client's cash on the client page: deposit / withdraw (a withdrawal above available cash is refused by
 * the broker and the reason shown), the ledger newest first with its running balance, and the day's contract note
 * as CSV or PDF. Brokers that keep their own money (Motilal) answer CASH_NOT_SUPPORTED: the card says so.
 */
import { useState, type FormEvent } from 'react';

import { call, client } from '@/lib/api';
import type { CashTransferIn } from '@/lib/api-types';
import { amountProblem, KIND_LABEL, newestFirst } from '@/lib/cash';
import { saveBlob } from '@/lib/download';
import { dayIST, money, time } from '@/lib/format';
import { useApiData, toApiError } from '@/hooks/useApi';

import { Button, Card, ErrorAlert, FieldError, Loading, Segmented, inputClass } from '../ui';

type Kind = CashTransferIn['type'];

export function CashLedger({ clientId, canEdit }: { clientId: number; canEdit: boolean }) {
  const ledger = useApiData(`ledger:${clientId}`, (signal) =>
    call(client.GET('/api/v1/clients/{client_id}/ledger', { params: { path: { client_id: clientId } }, signal })),
  );
  if (ledger.error?.code === 'CASH_NOT_SUPPORTED') {
    return (
      <Card data-testid="cash-ledger">
        <h2 className="mb-1 text-base font-semibold">Cash</h2>
        <p className="text-sm text-slate-600">This broker keeps the client&apos;s cash; fund the account there.</p>
        <ContractNote clientId={clientId} />
      </Card>
    );
  }
  const rows = newestFirst(ledger.data?.entries ?? []);
  return (
    <Card data-testid="cash-ledger">
      <div className="mb-3 flex flex-wrap items-baseline justify-between gap-2">
        <h2 className="text-base font-semibold">Cash ledger</h2>
        {ledger.data && (
          <span className="whitespace-nowrap text-sm text-slate-600" data-testid="ledger-balance">
            Balance <strong className="text-slate-900">{money(ledger.data.balance)}</strong>
          </span>
        )}
      </div>
      {canEdit && <TransferForm clientId={clientId} onDone={ledger.reload} />}
      {ledger.error && <ErrorAlert error={ledger.error} onRetry={ledger.reload} />}
      {ledger.loading && !ledger.data && <Loading />}
      {rows.length > 0 && (
        <div className="mt-3 max-h-80 overflow-auto">
          <table className="w-full text-sm" data-testid="ledger-table">
            <thead className="sticky top-0 bg-white text-left text-xs uppercase text-slate-500">
              <tr>
                <th className="hidden py-1 pr-2 font-medium sm:table-cell">When</th>
                <th className="py-1 pr-2 font-medium">Movement</th>
                <th className="py-1 pr-2 text-right font-medium">Amount</th>
                <th className="py-1 text-right font-medium">Balance</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((e) => (
                <tr key={e.id} className="border-t border-slate-100 align-top" data-testid="ledger-row">
                  <td className="hidden py-1 pr-2 whitespace-nowrap text-slate-600 sm:table-cell">{time(e.at)}</td>
                  <td className="py-1 pr-2">
                    <span className="font-medium">{KIND_LABEL[e.kind]}</span>
                    {e.description && e.description !== KIND_LABEL[e.kind] && (
                      <span className="block text-xs break-words text-slate-500">{e.description}</span>
                    )}
                    <span className="block text-xs text-slate-500 sm:hidden">{time(e.at)}</span>
                  </td>
                  <td
                    className={`py-1 pr-2 text-right whitespace-nowrap tabular-nums ${
                      e.amount.startsWith('-') ? 'text-red-700' : 'text-emerald-700'
                    }`}
                  >
                    {e.amount.startsWith('-') ? '−' : '+'}
                    {money(e.amount.replace(/^-/, ''))}
                  </td>
                  <td className="py-1 text-right whitespace-nowrap tabular-nums">{money(e.balance)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ContractNote clientId={clientId} />
    </Card>
  );
}

function TransferForm({ clientId, onDone }: { clientId: number; onDone: () => void }) {
  const [kind, setKind] = useState<Kind>('deposit');
  const [amount, setAmount] = useState('');
  const [note, setNote] = useState('');
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const problem = amountProblem(amount);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setTouched(true);
    if (problem || busy) return;
    setBusy(true);
    setResult(null);
    try {
      const done = await call(
        client.POST('/api/v1/clients/{client_id}/cash', {
          params: { path: { client_id: clientId } },
          body: { type: kind, amount: amount.trim(), note: note.trim() },
        }),
      );
      const verb = kind === 'deposit' ? 'Deposited' : 'Withdrew';
      setResult({ ok: true, text: `${verb} ${money(done.amount)}. Balance ${money(done.balance)}.` });
      setAmount('');
      setNote('');
      setTouched(false);
      onDone();
    } catch (err) {
      setResult({ ok: false, text: toApiError(err).message });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} className="grid gap-2 sm:grid-cols-[auto_10rem_1fr_auto] sm:items-start" data-testid="cash-form">
      <Segmented<Kind>
        label="Deposit or withdraw"
        value={kind}
        onChange={setKind}
        options={[
          { value: 'deposit', label: 'Deposit' },
          { value: 'withdraw', label: 'Withdraw' },
        ]}
        testId="cash-kind"
      />
      <div>
        <label htmlFor="cash-amount" className="sr-only">
          Amount (₹)
        </label>
        <input
          id="cash-amount"
          inputMode="decimal"
          placeholder="Amount ₹"
          className={inputClass}
          value={amount}
          onChange={(e) => setAmount(e.target.value)}
          onBlur={() => setTouched(true)}
          aria-invalid={touched && problem ? true : undefined}
          aria-describedby="cash-amount-error"
          data-testid="cash-amount"
        />
        <FieldError id="cash-amount-error" message={touched ? (problem ?? undefined) : undefined} />
      </div>
      <div>
        <label htmlFor="cash-note" className="sr-only">
          Note
        </label>
        <input
          id="cash-note"
          placeholder="Note (optional)"
          maxLength={200}
          className={inputClass}
          value={note}
          onChange={(e) => setNote(e.target.value)}
          data-testid="cash-note"
        />
      </div>
      <Button type="submit" disabled={busy} data-testid="cash-submit">
        {busy ? 'Sending…' : kind === 'deposit' ? 'Deposit' : 'Withdraw'}
      </Button>
      {result && (
        <p
          role={result.ok ? 'status' : 'alert'}
          className={`text-sm sm:col-span-4 ${result.ok ? 'text-emerald-700' : 'text-red-700'}`}
          data-testid="cash-result"
        >
          {result.text}
        </p>
      )}
    </form>
  );
}

function ContractNote({ clientId }: { clientId: number }) {
  const [day, setDay] = useState(() => dayIST(new Date()));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<'csv' | 'pdf' | null>(null);

  async function download(format: 'csv' | 'pdf') {
    setBusy(format);
    setError(null);
    try {
      const blob = await call(
        client.GET('/api/v1/clients/{client_id}/contract-note', {
          params: { path: { client_id: clientId }, query: { date: day, format } },
          parseAs: 'blob',
        }),
      );
      saveBlob(blob as Blob, `contract-note-${clientId}-${day}.${format}`);
    } catch (err) {
      setError(toApiError(err).message);
    } finally {
      setBusy(null);
    }
  }

  return (
    <div className="mt-4 flex flex-wrap items-center gap-2 border-t border-slate-100 pt-3" data-testid="contract-note">
      <label htmlFor="contract-note-day" className="text-sm font-medium">
        Contract note for
      </label>
      <input
        id="contract-note-day"
        type="date"
        className={`${inputClass} w-auto`}
        value={day}
        onChange={(e) => setDay(e.target.value)}
        data-testid="contract-note-day"
      />
      <Button variant="secondary" disabled={!day || busy !== null} onClick={() => download('csv')} data-testid="contract-note-csv">
        {busy === 'csv' ? 'Preparing…' : 'CSV'}
      </Button>
      <Button variant="secondary" disabled={!day || busy !== null} onClick={() => download('pdf')} data-testid="contract-note-pdf">
        {busy === 'pdf' ? 'Preparing…' : 'PDF'}
      </Button>
      {error && (
        <p role="alert" className="w-full text-sm text-red-700">
          {error}
        </p>
      )}
    </div>
  );
}
