'use client';

import { useState } from 'react';

import { useApiData } from '@/hooks/useApi';
import { call, client } from '@/lib/api';
import type { RiskLimitsRequest } from '@/lib/api-types';
import { errorText } from '@/lib/errors';
import { formatLimit, isLimitSet, LIMIT_SOURCE_LABEL, limitSource, RISK_LIMIT_FIELDS } from '@/lib/risk';
import { isRetryable } from '@/lib/retryable';

import { RiskLimitsForm } from './RiskLimitsForm';
import { Button, Card, ErrorAlert, Loading, Modal } from './ui';

const COLS = 'md:grid-cols-[minmax(0,1.3fr)_minmax(0,1fr)_minmax(0,1fr)_minmax(0,1.2fr)]';

/**
 * /clients/{id}: the client's own limits, the firm default and the effective merge of both
 * (GET /clients/{id}/risk-limits). Admins edit the client's own; advisors read them. The table is folded
 * behind one line saying how many limits apply: it is reference, and the page is about money first.
 */
export function ClientLimits({ clientId, clientName, canEdit }: { clientId: number; clientName: string; canEdit: boolean }) {
  const path = { client_id: clientId };
  const limits = useApiData(`client-limits:${clientId}`, (signal) =>
    call(client.GET('/api/v1/clients/{client_id}/risk-limits', { params: { path }, signal })),
  );
  const [editing, setEditing] = useState(false);
  const [open, setOpen] = useState(false);

  const save = async (body: RiskLimitsRequest) => {
    const saved = await call(client.PUT('/api/v1/clients/{client_id}/risk-limits', { params: { path }, body }));
    limits.setData(() => saved);
    setEditing(false);
    return saved.limits;
  };

  const data = limits.data;
  const setCount = data ? RISK_LIMIT_FIELDS.filter((f) => isLimitSet(data.effective[f.name])).length : 0;
  const anySet = setCount > 0;

  return (
    <Card data-testid="client-limits">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 className="text-base font-semibold">
          <button
            type="button"
            aria-expanded={open}
            aria-controls={`client-limits-${clientId}`}
            onClick={() => setOpen((o) => !o)}
            data-testid="client-limits-toggle"
            className="-mx-2 inline-flex min-h-11 items-center gap-2 rounded-lg px-2 hover:bg-slate-50"
          >
            <span aria-hidden className={`inline-block transition-transform ${open ? 'rotate-90' : ''}`}>
              ▶
            </span>
            Risk limits
            {data && (
              <span className="text-sm font-normal text-slate-500" data-testid="client-limits-count">
                {anySet ? `${setCount} of ${RISK_LIMIT_FIELDS.length} apply` : 'none apply'}
              </span>
            )}
          </button>
        </h2>
        {canEdit && data && (
          <Button variant="secondary" onClick={() => setEditing(true)} data-testid="edit-client-limits">
            Edit limits
          </Button>
        )}
      </div>
      {limits.error && <ErrorAlert error={errorText(limits.error)} onRetry={isRetryable(limits.error) ? limits.reload : undefined} />}
      {limits.loading && !data && <Loading>Loading limits…</Loading>}
      {data && open && (
        <div id={`client-limits-${clientId}`} className="mt-2">
          <p className="mb-2 text-sm text-slate-600">
            {anySet
              ? 'Orders for this client are checked against the effective limits: its own, else the firm default.'
              : 'No limits apply to this client: neither its own nor a firm default is set.'}
            {!canEdit && ' Only an admin can change them.'}
          </p>
          <div
            className={`hidden gap-3 border-b border-slate-200 px-2 pb-2 text-xs font-medium tracking-wide text-slate-500 uppercase md:grid ${COLS}`}
          >
            <span>Limit</span>
            <span>This client</span>
            <span>Firm default</span>
            <span>Effective</span>
          </div>
          <ul className="divide-y divide-slate-100">
            {RISK_LIMIT_FIELDS.map((field) => {
              const source = limitSource(field.name, data);
              const effective = data.effective[field.name];
              return (
                <li
                  key={field.name}
                  data-testid="client-limit-row"
                  data-limit={field.name}
                  className={`grid grid-cols-2 gap-x-3 gap-y-1 px-2 py-1.5 text-sm md:items-center ${COLS}`}
                >
                  <span className="col-span-2 font-medium md:col-span-1">{field.label}</span>
                  <span className="min-w-0 break-words tabular-nums text-slate-700" data-testid="limit-own">
                    <span className="block text-xs text-slate-500 md:hidden">This client</span>
                    {formatLimit(field.name, data.limits[field.name])}
                  </span>
                  <span className="min-w-0 break-words tabular-nums text-slate-700" data-testid="limit-firm">
                    <span className="block text-xs text-slate-500 md:hidden">Firm default</span>
                    {formatLimit(field.name, data.firm_default[field.name])}
                  </span>
                  <span
                    className="col-span-2 min-w-0 break-words md:col-span-1"
                    data-testid="limit-effective"
                    data-source={source}
                  >
                    <span className="text-xs text-slate-500 md:hidden">Effective: </span>
                    <span className={`font-semibold tabular-nums ${source === 'none' ? 'text-slate-500' : 'text-slate-900'}`}>
                      {formatLimit(field.name, effective)}
                    </span>
                    {source !== 'none' && (
                      <span className="ml-1 text-xs text-slate-500">({LIMIT_SOURCE_LABEL[source]})</span>
                    )}
                  </span>
                </li>
              );
            })}
          </ul>
        </div>
      )}

      {canEdit && data && (
        <Modal open={editing} onClose={() => setEditing(false)} title={`Risk limits: ${clientName}`} testId="client-limits-dialog">
          {editing && (
            <RiskLimitsForm
              scope="client"
              initial={data.limits}
              firmDefault={data.firm_default}
              onSave={save}
              onCancel={() => setEditing(false)}
              testId="client-limits-form"
            />
          )}
        </Modal>
      )}
    </Card>
  );
}
