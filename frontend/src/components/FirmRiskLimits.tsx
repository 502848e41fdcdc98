'use client';

import { useApiData } from '@/hooks/useApi';
import { call, client } from '@/lib/api';
import type { RiskLimitsRequest } from '@/lib/api-types';
import { errorText } from '@/lib/errors';
import { time } from '@/lib/format';

import { RiskLimitsForm } from './RiskLimitsForm';
import { Card, ErrorAlert, Loading } from './ui';

/** /admin: the firm-wide default limits (GET/PUT /risk/limits); a client's own limits override them. */
export function FirmRiskLimits({ names, onChanged }: { names: ReadonlyMap<number, string>; onChanged?: () => void }) {
  const limits = useApiData('risk:limits', (signal) => call(client.GET('/api/v1/risk/limits', { signal })));

  const save = async (body: RiskLimitsRequest) => {
    const saved = await call(client.PUT('/api/v1/risk/limits', { body }));
    limits.setData(() => saved);
    onChanged?.();
    return saved;
  };

  const updated = limits.data?.updated_at;
  const by = limits.data?.updated_by;
  return (
    <Card data-testid="firm-limits-section">
      <div className="mb-3 flex flex-wrap items-baseline justify-between gap-x-3 gap-y-1">
        <h2 className="text-base font-semibold">Risk limits: firm defaults</h2>
        {updated && (
          <span className="text-xs text-slate-500" data-testid="firm-limits-updated">
            Last changed {time(updated)}
            {by != null ? ` by ${names.get(by) ?? `user #${by}`}` : ''}
          </span>
        )}
      </div>
      {limits.error && <ErrorAlert error={errorText(limits.error)} onRetry={limits.reload} />}
      {limits.loading && !limits.data && <Loading>Loading limits…</Loading>}
      {limits.data && (
        <RiskLimitsForm
          scope="firm"
          initial={limits.data}
          onSave={save}
          testId="firm-limits"
        />
      )}
    </Card>
  );
}
