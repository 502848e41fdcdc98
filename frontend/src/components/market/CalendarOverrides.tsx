'use client';

import { useState, type FormEvent } from 'react';

import { toApiError, useApiData } from '@/hooks/useApi';
import { call, client, type ApiError } from '@/lib/api';
import type { CalendarOverride, CalendarOverrideIn } from '@/lib/api-types';

import { Button, Card, Checkbox, Empty, ErrorAlert, inputClass, Loading } from '../ui';

/** "2026-11-08" -> "08/11/2026". */
const ddmmyyyy = (day: string) => day.split('-').reverse().join('/');
const hhmm = (t: string | null) => (t ? t.slice(0, 5) : '');

/**
 * /admin: the exchange calendar's overrides. Lists the extra holidays and special sessions (e.g. Muhurat
 * trading) and adds or removes one (POST/DELETE /market/calendar/overrides, audited); the market status
 * and the simulator's hours follow at once.
 */
export function CalendarOverrides() {
  const list = useApiData<CalendarOverride[]>('calendar-overrides', (signal) =>
    call(client.GET('/api/v1/market/calendar/overrides', { signal })),
  );
  const [exchange, setExchange] = useState<CalendarOverrideIn['exchange']>('NSE');
  const [day, setDay] = useState('');
  const [name, setName] = useState('');
  const [session, setSession] = useState(false);
  const [opens, setOpens] = useState('18:00');
  const [closes, setCloses] = useState('19:00');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  const add = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body: CalendarOverrideIn = session ? { exchange, day, name, opens, closes } : { exchange, day, name };
      await call(client.POST('/api/v1/market/calendar/overrides', { body }));
      setDay('');
      setName('');
      list.reload();
    } catch (err) {
      setError(toApiError(err));
    } finally {
      setBusy(false);
    }
  };

  const remove = async (id: number) => {
    setError(null);
    try {
      await call(client.DELETE('/api/v1/market/calendar/overrides/{override_id}', { params: { path: { override_id: id } } }));
      list.reload();
    } catch (err) {
      setError(toApiError(err));
    }
  };

  return (
    <Card data-testid="calendar-overrides">
      <h2 className="mb-1 text-lg font-semibold">Exchange calendar</h2>
      <p className="mb-3 text-sm text-slate-600">
        Extra holidays and special sessions (such as Muhurat trading) on top of the exchange’s published holidays.
      </p>
      {list.error && <ErrorAlert error={list.error} onRetry={list.reload} />}
      {list.loading && !list.data && <Loading />}
      {list.data && list.data.length === 0 && <Empty>No overrides.</Empty>}
      {list.data && list.data.length > 0 && (
        <ul className="mb-4 divide-y divide-slate-100" data-testid="calendar-override-list">
          {list.data.map((o) => (
            <li key={o.id} className="flex flex-wrap items-center gap-x-3 gap-y-1 py-1" data-testid="calendar-override">
              <span className="font-mono text-sm">{ddmmyyyy(o.day)}</span>
              <span className="text-sm text-slate-600">{o.exchange}</span>
              <span className="min-w-0 flex-1 text-sm break-words">
                {o.name}{' '}
                <span className="text-slate-500">
                  {o.kind === 'session' ? `· session ${hhmm(o.opens)}–${hhmm(o.closes)} IST` : '· holiday'}
                </span>
              </span>
              <Button variant="ghost" onClick={() => void remove(o.id)} aria-label={`Remove ${o.name} on ${ddmmyyyy(o.day)}`}>
                Remove
              </Button>
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={(e) => void add(e)} className="grid gap-3 sm:grid-cols-[auto_auto_1fr]">
        <label className="text-sm font-medium">
          Exchange
          <select className={inputClass} value={exchange} onChange={(e) => setExchange(e.target.value as 'NSE' | 'BSE')}>
            <option value="NSE">NSE</option>
            <option value="BSE">BSE</option>
          </select>
        </label>
        <label className="text-sm font-medium">
          Date
          <input className={inputClass} type="date" required value={day} onChange={(e) => setDay(e.target.value)} />
        </label>
        <label className="text-sm font-medium">
          Name
          <input
            className={inputClass}
            required
            maxLength={120}
            value={name}
            placeholder="e.g. Muhurat trading"
            onChange={(e) => setName(e.target.value)}
          />
        </label>
        <div className="flex items-center gap-1 text-sm sm:col-span-3">
          <Checkbox checked={session} onChange={setSession} label="A special session (not a holiday)" testId="override-session" />
          <span>A special session (otherwise a holiday)</span>
        </div>
        {session && (
          <>
            <label className="text-sm font-medium">
              Opens (IST)
              <input className={inputClass} type="time" required value={opens} onChange={(e) => setOpens(e.target.value)} />
            </label>
            <label className="text-sm font-medium">
              Closes (IST)
              <input className={inputClass} type="time" required value={closes} onChange={(e) => setCloses(e.target.value)} />
            </label>
          </>
        )}
        <div className="sm:col-span-3">
          <Button type="submit" disabled={busy}>
            Add to the calendar
          </Button>
        </div>
      </form>
      {error && <ErrorAlert error={error} testId="calendar-override-error" />}
    </Card>
  );
}
