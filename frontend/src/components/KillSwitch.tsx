'use client';

import { useCallback, useEffect, useState } from 'react';
import { Controller, useForm, useWatch } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';

import { toApiError } from '@/hooks/useApi';
import { ApiError, call, client } from '@/lib/api';
import type { Halt, RiskStatus, User } from '@/lib/api-types';
import { errorText } from '@/lib/errors';
import {
  emptyHaltForm,
  haltFormSchema,
  haltScopeLabel,
  toHaltRequest,
  toResumeRequest,
  type HaltFormValues,
} from '@/lib/risk';
import { time } from '@/lib/format';
import { useRiskStore } from '@/stores/risk';

import { Field } from './form/Field';
import { Button, Card, Checkbox, ErrorAlert, inputClass, Loading, Modal, Segmented } from './ui';

interface HaltOutcome {
  label: string;
  cancelled: number[];
  failures: RiskStatus['cancel_failures'];
  cancelRequested: boolean;
}

/**
 * /admin: the kill switch. Shows the active halts (GET /risk/status), halts trading firm-wide or
 * for one advisor (POST /risk/halt, after a confirmation; optionally cancelling every open order in
 * scope) and resumes (POST /risk/resume). The answer goes to the shared risk store, so the halt
 * banner changes at once.
 */
export function KillSwitch({
  advisors,
  names,
  onChanged,
}: {
  /** Active advisors, for the "one advisor" scope. */
  advisors: readonly User[];
  names: ReadonlyMap<number, string>;
  /** After a halt or resume (e.g. to reload the audit log). */
  onChanged?: () => void;
}) {
  const status = useRiskStore((s) => s.status);
  const setStatus = useRiskStore((s) => s.setStatus);
  const loadStatus = useRiskStore((s) => s.load);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);
  const [pending, setPending] = useState<HaltFormValues | null>(null);
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<HaltOutcome | null>(null);
  const [resuming, setResuming] = useState<number | null>(null);
  const [resumeError, setResumeError] = useState<string | null>(null);

  const load = useCallback(async () => {
    setLoading(true);
    try {
      await loadStatus();
      setLoadError(null);
    } catch (err) {
      setLoadError(toApiError(err));
    } finally {
      setLoading(false);
    }
  }, [loadStatus]);
  useEffect(() => {
    void load();
  }, [load]);

  const {
    register,
    handleSubmit,
    control,
    reset,
    setValue,
    formState: { errors },
  } = useForm<HaltFormValues>({ resolver: zodResolver(haltFormSchema), defaultValues: emptyHaltForm() });
  const scope = useWatch({ control, name: 'scope' });

  const askToHalt = handleSubmit((values) => {
    setActionError(null);
    setPending(values);
  });

  const halt = async () => {
    if (!pending) return;
    setBusy(true);
    setActionError(null);
    try {
      const result = await call(client.POST('/api/v1/risk/halt', { body: toHaltRequest(pending) }));
      setStatus(result);
      setOutcome({
        label: haltScopeLabel({ scope: pending.scope, advisor_id: pending.scope === 'advisor' ? Number(pending.advisor_id) : null }, names),
        cancelled: result.cancelled_order_ids,
        failures: result.cancel_failures,
        cancelRequested: pending.cancel_open_orders,
      });
      setPending(null);
      reset(emptyHaltForm());
      onChanged?.();
    } catch (err) {
      setActionError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const resume = async (h: Halt) => {
    setResuming(h.id);
    setResumeError(null);
    try {
      setStatus(await call(client.POST('/api/v1/risk/resume', { body: toResumeRequest(h) })));
      setOutcome(null);
      onChanged?.();
    } catch (err) {
      setResumeError(errorText(err));
      // NOT_HALTED: someone else resumed it meanwhile; show what is true now.
      if (err instanceof ApiError && err.code === 'NOT_HALTED') void load();
    } finally {
      setResuming(null);
    }
  };

  const halts = status?.halts ?? [];
  const pendingLabel = pending
    ? haltScopeLabel({ scope: pending.scope, advisor_id: pending.scope === 'advisor' ? Number(pending.advisor_id) : null }, names)
    : '';

  return (
    <Card data-testid="kill-switch">
      <div className="mb-3 flex flex-wrap items-center justify-between gap-2">
        <h2 className="text-base font-semibold">Kill switch</h2>
        {status && (
          <span
            data-testid="risk-status"
            data-halted={halts.length > 0 ? 'true' : 'false'}
            className={`rounded-full px-2.5 py-0.5 text-xs font-semibold ${
              halts.length > 0 ? 'bg-red-100 text-red-800' : 'bg-emerald-100 text-emerald-800'
            }`}
          >
            {halts.length === 0 ? 'Trading is running' : status.firm_halted ? 'Halted firm-wide' : 'Halted for some advisors'}
          </span>
        )}
      </div>

      {loadError && <ErrorAlert error={errorText(loadError)} onRetry={() => void load()} />}
      {loading && !status && <Loading>Loading trading status…</Loading>}

      {status && halts.length === 0 && (
        <p className="text-sm text-slate-600" data-testid="no-halts">
          No halt is active: new orders go through (subject to the risk limits).
        </p>
      )}
      {halts.length > 0 && (
        <ul className="divide-y divide-red-100 rounded-lg border border-red-200 bg-red-50" data-testid="halts">
          {halts.map((h) => (
            <li
              key={h.id}
              data-testid="halt-row"
              data-scope={h.scope}
              className="flex flex-wrap items-center justify-between gap-x-3 gap-y-2 px-3 py-3 text-sm"
            >
              <span className="min-w-0 flex-1">
                <span className="block font-semibold text-red-900">{haltScopeLabel(h, names)}</span>
                <span className="block break-words text-red-900" data-testid="halt-reason">
                  {h.reason ? h.reason : <span className="italic">No reason given</span>}
                </span>
                <span className="block text-xs text-red-800">
                  Since {time(h.halted_at)} by {names.get(h.halted_by) ?? `user #${h.halted_by}`}
                </span>
              </span>
              <Button
                variant="secondary"
                onClick={() => void resume(h)}
                disabled={resuming !== null}
                data-testid="resume-halt"
                className="w-full sm:w-auto"
              >
                {resuming === h.id ? 'Resuming…' : 'Resume trading'}
              </Button>
            </li>
          ))}
        </ul>
      )}
      {resumeError && (
        <div className="mt-3">
          <ErrorAlert error={resumeError} testId="resume-error" />
        </div>
      )}

      {outcome && (
        <div
          role="status"
          data-testid="halt-result"
          className="mt-3 rounded-lg border border-slate-200 bg-slate-50 px-3 py-2 text-sm text-slate-800"
        >
          <p>
            Halted: {outcome.label}.
            {outcome.cancelRequested &&
              ` ${outcome.cancelled.length} open order${outcome.cancelled.length === 1 ? '' : 's'} cancelled${
                outcome.failures.length > 0 ? `, ${outcome.failures.length} could not be` : ''
              }.`}
          </p>
          {outcome.failures.length > 0 && (
            <ul className="mt-1 list-disc pl-5 text-red-800" data-testid="cancel-failures">
              {outcome.failures.map((f) => (
                <li key={f.order_id} className="break-words">
                  Order #{f.order_id}: {f.message} ({f.code})
                </li>
              ))}
            </ul>
          )}
        </div>
      )}

      <form noValidate onSubmit={(e) => void askToHalt(e)} className="mt-4 space-y-3 border-t border-slate-100 pt-4">
        <h3 className="text-sm font-semibold">Halt new orders</h3>
        <Controller
          control={control}
          name="scope"
          render={({ field }) => (
            <Segmented
              label="Halt scope"
              testId="halt-scope"
              value={field.value}
              onChange={(v) => {
                field.onChange(v);
                if (v === 'firm') setValue('advisor_id', '');
              }}
              options={[
                { value: 'firm', label: 'Firm-wide' },
                { value: 'advisor', label: 'One advisor', disabled: advisors.length === 0, title: advisors.length === 0 ? 'No active advisors' : undefined },
              ]}
            />
          )}
        />
        {scope === 'advisor' && (
          <Field
            id="halt-advisor"
            label="Advisor"
            error={errors.advisor_id?.message}
            hint="Covers the advisor’s clients, whoever places the order, and orders the advisor places."
          >
            {(p) => (
              <select {...p} className={inputClass} data-testid="halt-advisor" {...register('advisor_id')}>
                <option value="">Choose an advisor</option>
                {advisors.map((a) => (
                  <option key={a.id} value={String(a.id)}>
                    {a.full_name} ({a.email})
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
        <Field
          id="halt-reason"
          label={
            <>
              Reason <span className="font-normal text-slate-500">(optional, shown on every desk)</span>
            </>
          }
          error={errors.reason?.message}
        >
          {(p) => (
            <input
              {...p}
              className={inputClass}
              autoComplete="off"
              maxLength={500}
              placeholder="e.g. Exchange connectivity issue"
              data-testid="halt-reason-input"
              {...register('reason')}
            />
          )}
        </Field>
        <Controller
          control={control}
          name="cancel_open_orders"
          render={({ field }) => (
            <div className="flex items-center gap-1 text-sm">
              <Checkbox
                label="Also cancel every open order"
                testId="halt-cancel-open"
                checked={field.value}
                onChange={field.onChange}
              />
              Also cancel every open order {scope === 'advisor' ? 'of this advisor’s clients' : 'at every client'}
            </div>
          )}
        />
        <div className="flex justify-end">
          <Button type="submit" variant="danger" data-testid="halt-submit" className="w-full sm:w-auto">
            Halt trading…
          </Button>
        </div>
      </form>

      <Modal open={pending !== null} onClose={() => !busy && setPending(null)} title="Halt trading?" testId="halt-confirm-dialog">
        {pending && (
          <div className="space-y-2 text-sm" data-testid="halt-confirm-summary">
            <p>
              <span className="font-semibold">{pendingLabel}</span>:{' '}
              {pending.scope === 'firm'
                ? 'every new order from every desk is refused until trading is resumed.'
                : 'new orders for this advisor’s clients, and orders they place, are refused until resumed.'}{' '}
              Exits, cancels and price changes still work.
            </p>
            <p>
              Reason:{' '}
              {pending.reason.trim() ? (
                <span className="font-medium break-words">{pending.reason.trim()}</span>
              ) : (
                <span className="italic text-slate-500">none given</span>
              )}
            </p>
            {pending.cancel_open_orders && (
              <p className="rounded-lg bg-red-50 px-3 py-2 font-medium text-red-900" data-testid="halt-confirm-cancel">
                Every open order in scope will also be cancelled at its broker.
              </p>
            )}
          </div>
        )}
        {actionError && (
          <div className="mt-3">
            <ErrorAlert error={actionError} testId="halt-error" />
          </div>
        )}
        <div className="mt-4 flex flex-wrap justify-end gap-2">
          <Button variant="secondary" onClick={() => setPending(null)} disabled={busy}>
            Cancel
          </Button>
          <Button variant="danger" onClick={() => void halt()} disabled={busy} data-testid="confirm-halt">
            {busy ? 'Halting…' : 'Halt trading'}
          </Button>
        </div>
      </Modal>
    </Card>
  );
}
