'use client';

import { useMemo } from 'react';
import { useForm, useFormState, useWatch } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';

import { useApiData } from '@/hooks/useApi';
import { call, client } from '@/lib/api';
import {
  ALLOCATION_METHODS,
  allocationPickerSchema,
  defaultPicker,
  methodInfo,
  pickerErrorFrom,
  type AllocationMode,
  type AllocationPickerValues,
  type PickerField,
} from '@/lib/allocation';
import { memberSummary } from '@/lib/groups';

import { Card, ErrorAlert, FieldError, inputClass, Segmented } from '../ui';

/**
 * The picker's state, kept by the desk in its own React Hook Form: mode, group or ticked clients,
 * method and its input. `check()` validates (Zod) and answers the values, or null after showing the
 * errors; `showServerError()` puts a refused preview's or execute-all's message beside its field.
 * `initial` starts it elsewhere than "Per client" (a test renders it mid-edit).
 */
export function useAllocationPicker(initial?: Partial<AllocationPickerValues>) {
  const form = useForm<AllocationPickerValues>({
    resolver: zodResolver(allocationPickerSchema),
    defaultValues: { ...defaultPicker, ...initial },
    mode: 'onSubmit',
    reValidateMode: 'onChange',
  });
  const values = useWatch({ control: form.control }) as AllocationPickerValues;
  const groups = useApiData('groups:1000', (signal) =>
    call(client.GET('/api/v1/groups', { params: { query: { limit: 1000 } }, signal })),
  );
  const groupList = useMemo(() => groups.data?.items ?? [], [groups.data]);

  const change = (patch: Partial<AllocationPickerValues>) => {
    for (const [key, value] of Object.entries(patch) as Array<[keyof AllocationPickerValues, never]>) {
      form.setValue(key, value);
    }
    // An edited field's old message (ours or the server's) no longer applies; a new method reads a new input.
    const touched = Object.keys(patch).flatMap((k) => (k === 'method' ? ['method', 'value'] : k === 'mode' ? [] : [k]));
    form.clearErrors(patch.mode !== undefined ? undefined : (touched as PickerField[]));
  };

  const toggleClient = (clientId: number, on: boolean) => {
    const others = form.getValues('client_ids').filter((id) => id !== clientId);
    change({ client_ids: on ? [...others, clientId] : others });
  };

  const check = async (): Promise<AllocationPickerValues | null> =>
    (await form.trigger()) ? allocationPickerSchema.parse(form.getValues()) : null;

  /** True when the refusal was about the picker and is now shown beside its field. */
  const showServerError = (err: unknown): boolean => {
    const found = pickerErrorFrom(err);
    if (!found) return false;
    form.setError(found.field, { type: 'server', message: found.message }, { shouldFocus: true });
    return true;
  };

  const groupName = groupList.find((g) => String(g.id) === values.group_id)?.name;
  return { form, values, change, toggleClient, check, showServerError, groups, groupList, groupName };
}

export type AllocationPickerState = ReturnType<typeof useAllocationPicker>;

const MODES = [
  { value: 'per_client', label: 'Per client' },
  { value: 'group', label: 'Group' },
  { value: 'clients', label: 'Selected clients' },
] as const;

/**
 * On the desk: per-client quantities (the grid), a client group, or the clients ticked in the grid,
 * the last two sized by an allocation method. `clientIds`: the desk's active clients, for "Tick all".
 */
export function AllocationPicker({
  picker,
  disabled,
  lotSize,
  clientIds,
}: {
  picker: AllocationPickerState;
  disabled: boolean;
  lotSize: number;
  clientIds: number[];
}) {
  const { form, values, change, groups, groupList } = picker;
  // Its own subscription, so the messages show however they were set (our checks or the server's answer).
  const { errors } = useFormState({ control: form.control });
  const method = methodInfo(values.method);
  const selected = groupList.find((g) => String(g.id) === values.group_id);
  const ticked = values.client_ids.length;
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
            {values.mode === 'group' ? (
              <div className="min-w-0">
                <label htmlFor="allocation-group" className="mb-1 block text-sm font-medium">
                  Group
                </label>
                <select
                  id="allocation-group"
                  data-testid="allocation-group"
                  {...form.register('group_id', { onChange: () => form.clearErrors('group_id') })}
                  aria-invalid={errors.group_id ? true : undefined}
                  aria-describedby={errors.group_id ? 'allocation-group-error' : undefined}
                  className={inputClass}
                >
                  <option value="">{groups.loading ? 'Loading…' : groupList.length ? 'Choose a group' : 'No groups yet'}</option>
                  {groupList.map((g) => (
                    <option key={g.id} value={String(g.id)}>
                      {g.name} ({memberSummary(g)})
                    </option>
                  ))}
                </select>
                <FieldError id="allocation-group-error" message={errors.group_id?.message} />
                {groups.error && <ErrorAlert error={groups.error} onRetry={groups.reload} />}
              </div>
            ) : (
              <div className="min-w-0" data-testid="allocation-clients" data-count={ticked}>
                <span className="mb-1 block text-sm font-medium">Clients</span>
                <p className="text-sm" aria-invalid={errors.client_ids ? true : undefined}>
                  {ticked === 0 ? 'None ticked' : `${ticked} ticked`} in the list below
                </p>
                <div className="mt-1 flex gap-1">
                  <button
                    type="button"
                    data-testid="allocation-tick-all"
                    onClick={() => change({ client_ids: clientIds })}
                    className="inline-flex min-h-11 items-center rounded-lg px-2 text-sm font-medium text-slate-700 hover:bg-slate-100"
                  >
                    Tick all
                  </button>
                  <button
                    type="button"
                    onClick={() => change({ client_ids: [] })}
                    className="inline-flex min-h-11 items-center rounded-lg px-2 text-sm font-medium text-slate-700 hover:bg-slate-100"
                  >
                    None
                  </button>
                </div>
                <FieldError id="allocation-clients-error" message={errors.client_ids?.message} />
              </div>
            )}
            <div className="min-w-0">
              <label htmlFor="allocation-method" className="mb-1 block text-sm font-medium">
                Method
              </label>
              <select
                id="allocation-method"
                data-testid="allocation-method"
                {...form.register('method', { onChange: () => form.clearErrors(['method', 'value']) })}
                aria-invalid={errors.method ? true : undefined}
                aria-describedby={errors.method ? 'allocation-method-error' : undefined}
                className={inputClass}
              >
                {ALLOCATION_METHODS.map((m) => (
                  <option key={m.value} value={m.value}>
                    {m.label}
                  </option>
                ))}
              </select>
              <FieldError id="allocation-method-error" message={errors.method?.message} />
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
                {...form.register('value', { onChange: () => form.clearErrors('value') })}
                aria-invalid={errors.value ? true : undefined}
                aria-describedby={errors.value ? 'allocation-value-error allocation-hint' : 'allocation-hint'}
                className={`${inputClass} text-right tabular-nums`}
              />
              <FieldError id="allocation-value-error" message={errors.value?.message} />
            </div>
            <p id="allocation-hint" className="text-xs text-slate-500 sm:col-span-3">
              {method.hint} Rounded down to the lot size ({lotSize}); the preview shows each client’s quantity.
              {values.mode === 'clients' && ' Each ticked client counts once (multiplier 1).'}
              {values.mode === 'group' &&
                selected &&
                ` Members: ${selected.members.map((m) => `${m.display_name} ×${m.multiplier}`).join(', ')}.`}
            </p>
          </div>
        )}
      </fieldset>
    </Card>
  );
}
