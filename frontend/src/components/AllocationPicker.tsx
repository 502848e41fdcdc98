'use client';

import { useMemo, useState } from 'react';

import { useApi } from '@/hooks/useApi';
import {
  ALLOCATION_METHODS,
  allocationPickerSchema,
  defaultPicker,
  methodInfo,
  type AllocationMethod,
  type AllocationMode,
  type AllocationPickerValues,
} from '@/lib/allocation';
import type { ClientGroup, Page } from '@/lib/api-types';
import { memberSummary } from '@/lib/groups';

import { Card, ErrorAlert, FieldError, inputClass, Segmented } from './ui';

type PickerErrors = Partial<Record<'group_id' | 'value', string>>;

/**
 * The picker's state, kept by the desk: mode, group, method and its input, with the errors of the
 * last check. `check()` validates (Zod) and answers the values, or null after showing the errors.
 */
export function useAllocationPicker() {
  const [values, setValues] = useState<AllocationPickerValues>(defaultPicker);
  const [errors, setErrors] = useState<PickerErrors>({});
  const groups = useApi<Page<ClientGroup>>('/groups?limit=1000');
  const groupList = useMemo(() => groups.data?.items ?? [], [groups.data]);

  const change = (patch: Partial<AllocationPickerValues>) => {
    setValues((v) => ({ ...v, ...patch }));
    setErrors((e) => {
      const next = { ...e };
      for (const k of Object.keys(patch)) delete next[k === 'method' ? 'value' : (k as keyof PickerErrors)];
      return next;
    });
  };

  const check = (): AllocationPickerValues | null => {
    const result = allocationPickerSchema.safeParse(values);
    if (result.success) {
      setErrors({});
      return result.data;
    }
    const found: PickerErrors = {};
    for (const issue of result.error.issues) {
      const field = issue.path[0] as keyof PickerErrors;
      found[field] ??= issue.message;
    }
    setErrors(found);
    return null;
  };

  const groupName = groupList.find((g) => String(g.id) === values.group_id)?.name;
  return { values, errors, change, check, groups, groupList, groupName };
}

export type AllocationPickerState = ReturnType<typeof useAllocationPicker>;

const MODES = [
  { value: 'per_client', label: 'Per client' },
  { value: 'group', label: 'Group' },
] as const;

/** On the desk: per-client quantities (the grid), or a client group sized by an allocation method. */
export function AllocationPicker({
  picker,
  disabled,
  lotSize,
}: {
  picker: AllocationPickerState;
  disabled: boolean;
  lotSize: number;
}) {
  const { values, errors, change, groups, groupList } = picker;
  const method = methodInfo(values.method);
  const selected = groupList.find((g) => String(g.id) === values.group_id);
  return (
    <Card data-testid="allocation-picker">
      <fieldset disabled={disabled} className="min-w-0 space-y-3">
        <legend className="mb-1 text-base font-semibold">Allocation</legend>
        <Segmented<AllocationMode>
          label="Allocation"
          testId="allocation-mode"
          value={values.mode}
          options={MODES}
          onChange={(mode) => change({ mode })}
        />
        {values.mode === 'per_client' ? (
          <p className="text-xs text-slate-500">Type each client’s quantity in the grid below.</p>
        ) : (
          <div className="grid gap-3 sm:grid-cols-3">
            <div className="min-w-0">
              <label htmlFor="allocation-group" className="mb-1 block text-sm font-medium">
                Group
              </label>
              <select
                id="allocation-group"
                data-testid="allocation-group"
                value={values.group_id}
                onChange={(e) => change({ group_id: e.target.value })}
                aria-invalid={errors.group_id ? true : undefined}
                className={inputClass}
              >
                <option value="">{groups.loading ? 'Loading…' : groupList.length ? 'Choose a group' : 'No groups yet'}</option>
                {groupList.map((g) => (
                  <option key={g.id} value={String(g.id)}>
                    {g.name} ({memberSummary(g)})
                  </option>
                ))}
              </select>
              <FieldError message={errors.group_id} />
              {groups.error && <ErrorAlert error={groups.error} onRetry={groups.reload} />}
            </div>
            <div className="min-w-0">
              <label htmlFor="allocation-method" className="mb-1 block text-sm font-medium">
                Method
              </label>
              <select
                id="allocation-method"
                data-testid="allocation-method"
                value={values.method}
                onChange={(e) => change({ method: e.target.value as AllocationMethod })}
                className={inputClass}
              >
                {ALLOCATION_METHODS.map((m) => (
                  <option key={m.value} value={m.value}>
                    {m.label}
                  </option>
                ))}
              </select>
            </div>
            <div className="min-w-0">
              <label htmlFor="allocation-value" className="mb-1 block text-sm font-medium">
                {method.inputLabel}
              </label>
              <input
                id="allocation-value"
                data-testid="allocation-value"
                inputMode={method.input === 'quantity' || method.input === 'total_quantity' ? 'numeric' : 'decimal'}
                autoComplete="off"
                value={values.value}
                onChange={(e) => change({ value: e.target.value })}
                aria-invalid={errors.value ? true : undefined}
                aria-describedby="allocation-hint"
                className={`${inputClass} text-right tabular-nums`}
              />
              <FieldError message={errors.value} />
            </div>
            <p id="allocation-hint" className="text-xs text-slate-500 sm:col-span-3">
              {method.hint} Rounded down to the lot size ({lotSize}); the preview shows each client’s quantity.
              {selected &&
                ` Members: ${selected.members.map((m) => `${m.display_name} ×${m.multiplier}`).join(', ')}.`}
            </p>
          </div>
        )}
      </fieldset>
    </Card>
  );
}
