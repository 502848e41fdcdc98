'use client';

/**
 * The advisor's scheduled "square off all intraday": on/off and the IST time (09:15–15:29). Each trading day at
 * that time the backend closes every INTRADAY position of the advisor's clients as exit batches; the card links the
 * last run's batches so the advisor can watch them. Shown on the book to those who trade (viewers cannot).
 */
import { useState, type FormEvent } from 'react';

import { call, client } from '@/lib/api';
import type { SquareOffSchedule as Schedule } from '@/lib/api-types';
import { time } from '@/lib/format';
import { useApiData, toApiError } from '@/hooks/useApi';
import { useAuthStore } from '@/stores/auth';

import { Button, Card, Checkbox, ErrorAlert, FieldError, Loading, inputClass } from './ui';

const TIME_RE = /^(09:(1[5-9]|[2-5]\d)|1[0-4]:[0-5]\d|15:([01]\d|2\d))$/;

/** Why a time cannot be saved, or null (the API takes 09:15 to 15:29 IST, inside the session). */
export function squareOffTimeProblem(value: string): string | null {
  return TIME_RE.test(value) ? null : 'Choose a time from 09:15 to 15:29 IST';
}

export function SquareOffSchedule() {
  const role = useAuthStore((s) => s.user?.role);
  const trades = role === 'admin' || role === 'advisor';
  const schedule = useApiData(trades ? 'square-off' : null, (signal) =>
    call(client.GET('/api/v1/square-off/schedule', { signal })),
  );
  if (!trades) return null;
  if (schedule.error) return <ErrorAlert error={schedule.error} onRetry={schedule.reload} />;
  if (!schedule.data) return <Loading />;
  return <ScheduleForm saved={schedule.data} onSaved={schedule.setData} />;
}

function ScheduleForm({
  saved,
  onSaved,
}: {
  saved: Schedule;
  onSaved: (update: (prev: Schedule | undefined) => Schedule | undefined) => void;
}) {
  const [enabled, setEnabled] = useState(saved.enabled);
  const [at, setAt] = useState(saved.time);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const problem = squareOffTimeProblem(at);

  async function save(event: FormEvent) {
    event.preventDefault();
    if (problem || busy) return;
    setBusy(true);
    setMessage(null);
    try {
      const stored = await call(client.PUT('/api/v1/square-off/schedule', { body: { enabled, time: at } }));
      setMessage({ ok: true, text: stored.enabled ? `Saved: every trading day at ${stored.time} IST.` : 'Saved: off.' });
      onSaved(() => stored);
    } catch (err) {
      setMessage({ ok: false, text: toApiError(err).message });
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card data-testid="square-off-schedule">
      <h2 className="mb-2 text-base font-semibold">Scheduled square-off</h2>
      <p className="mb-3 text-sm text-slate-600">
        Closes every client&apos;s INTRADAY positions at this time each trading day (DELIVERY stays).
      </p>
      <form onSubmit={save} className="flex flex-wrap items-start gap-3">
        <span className="inline-flex items-center gap-1 text-sm font-medium">
          <Checkbox checked={enabled} onChange={setEnabled} label="Square off all intraday" testId="square-off-enabled" />
          Square off all intraday
        </span>
        <div>
          <label htmlFor="square-off-time" className="sr-only">
            Time (IST)
          </label>
          <input
            id="square-off-time"
            type="time"
            min="09:15"
            max="15:29"
            className={`${inputClass} w-auto`}
            value={at}
            onChange={(e) => setAt(e.target.value)}
            aria-invalid={problem ? true : undefined}
            aria-describedby="square-off-time-error"
            data-testid="square-off-time"
          />
          <FieldError id="square-off-time-error" message={problem ?? undefined} />
        </div>
        <Button type="submit" disabled={busy || problem !== null} data-testid="square-off-save">
          {busy ? 'Saving…' : 'Save'}
        </Button>
      </form>
      {message && (
        <p role={message.ok ? 'status' : 'alert'} className={`mt-2 text-sm ${message.ok ? 'text-emerald-700' : 'text-red-700'}`}>
          {message.text}
        </p>
      )}
      <dl className="mt-3 grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-sm">
        <dt className="text-slate-500">Next run</dt>
        <dd data-testid="square-off-next">{saved.next_run_at ? time(saved.next_run_at) : '—'}</dd>
        <dt className="text-slate-500">Last run</dt>
        <dd>{saved.last_run_on ?? '—'}</dd>
      </dl>
      {saved.last_batch_ids.length > 0 && (
        <ul className="mt-2 space-y-1 text-sm" data-testid="square-off-batches">
          {saved.last_batch_ids.map((id) => (
            <BatchLine key={id} batchId={id} />
          ))}
        </ul>
      )}
    </Card>
  );
}

/** One exit batch of the last run: its instrument, status and how many rows filled (reloads on demand). */
function BatchLine({ batchId }: { batchId: number }) {
  const batch = useApiData(`batch:${batchId}`, (signal) =>
    call(client.GET('/api/v1/batches/{batch_id}', { params: { path: { batch_id: batchId } }, signal })),
  );
  if (batch.error) return <li className="text-red-700">Batch #{batchId}: {batch.error.message}</li>;
  if (!batch.data) return <li className="text-slate-500">Batch #{batchId}…</li>;
  const { symbol, status, counts } = batch.data;
  return (
    <li className="flex flex-wrap items-center gap-2">
      <span className="font-medium">{symbol}</span>
      <span className="text-slate-600">
        {status} · {counts.filled} of {counts.total - counts.skipped} filled
        {counts.failed + counts.rejected > 0 ? ` · ${counts.failed + counts.rejected} not filled` : ''}
      </span>
      <Button variant="ghost" onClick={batch.reload} className="min-h-8 px-2 text-xs">
        Refresh
      </Button>
    </li>
  );
}
