'use client';

import { useForm, useWatch } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';

import { call, client } from '@/lib/api';
import type { Client, ClientGroup } from '@/lib/api-types';
import { errorText } from '@/lib/errors';
import { groupFormRows, groupFormSchema, toGroupBody, type GroupFormValues } from '@/lib/groups';

import { Field, FormActions } from './form/Field';
import { Checkbox, Empty, ErrorAlert, FieldError, inputClass } from './ui';

interface GroupFormProps {
  /** The clients the advisor may put in a group (active ones are offered). */
  clients: Client[];
  /** Edit this group; create a new one when absent. */
  group?: ClientGroup;
  onSaved: (group: ClientGroup) => void;
  onCancel: () => void;
}

/** Create or edit a group: its name, which clients are in it, and each member's multiplier. */
export function GroupForm({ clients, group, onSaved, onCancel }: GroupFormProps) {
  const {
    register,
    handleSubmit,
    setValue,
    setError,
    control,
    formState: { errors, isSubmitting },
  } = useForm<GroupFormValues>({
    resolver: zodResolver(groupFormSchema),
    defaultValues: { name: group?.name ?? '', members: groupFormRows(clients, group) },
  });
  const rows = useWatch({ control, name: 'members' });
  const chosen = rows.filter((r) => r.selected).length;

  const onSubmit = handleSubmit(async (values) => {
    try {
      const body = toGroupBody(values);
      onSaved(
        group
          ? await call(client.PATCH('/api/v1/groups/{group_id}', { params: { path: { group_id: group.id } }, body }))
          : await call(client.POST('/api/v1/groups', { body })),
      );
    } catch (err) {
      setError('root.server', { message: errorText(err) });
    }
  });

  return (
    <form noValidate onSubmit={onSubmit} className="space-y-3" data-testid="group-form">
      {errors.root?.server && <ErrorAlert error={errors.root.server.message ?? 'Error'} testId="group-form-error" />}

      <Field id="gf-name" label="Name" error={errors.name?.message}>
        {(p) => <input {...p} className={inputClass} {...register('name')} />}
      </Field>

      <fieldset className="rounded-lg border border-slate-200 p-3">
        <legend className="px-1 text-sm font-medium">
          Clients ({chosen} chosen) and multipliers
        </legend>
        <p className="mb-2 text-xs text-slate-500">
          A multiplier scales the client&apos;s share of an order (1 = as typed, 2 = twice, 0.5 = half).
        </p>
        {rows.length === 0 && <Empty>No active clients to add.</Empty>}
        <ul className="divide-y divide-slate-100" data-testid="group-form-members">
          {rows.map((row, index) => {
            const error = errors.members?.[index]?.multiplier?.message;
            return (
              <li key={row.client_id} className="py-1" data-testid="group-form-member" data-client-id={row.client_id}>
                <div className="flex items-center gap-2">
                  <Checkbox
                    label={`Include ${row.display_name}`}
                    testId={`group-member-${row.client_id}`}
                    checked={row.selected}
                    onChange={(on) => setValue(`members.${index}.selected`, on, { shouldDirty: true })}
                  />
                  <span className="min-w-0 flex-1">
                    <span className="block truncate text-sm font-medium">{row.display_name}</span>
                    <span className="block text-xs text-slate-500">
                      {row.broker_client_id}
                      {!row.is_active && ' · inactive'}
                    </span>
                  </span>
                  <div className="w-24 shrink-0">
                    <input
                      aria-label={`Multiplier for ${row.display_name}`}
                      data-testid={`group-multiplier-${row.client_id}`}
                      inputMode="decimal"
                      disabled={!row.selected}
                      className={`${inputClass} text-right`}
                      aria-invalid={error ? true : undefined}
                      {...register(`members.${index}.multiplier`)}
                    />
                  </div>
                </div>
                <FieldError message={error} />
              </li>
            );
          })}
        </ul>
      </fieldset>

      <FormActions
        submitting={isSubmitting}
        submitLabel={group ? 'Save changes' : 'Create group'}
        onCancel={onCancel}
        submitTestId="group-form-save"
      />
    </form>
  );
}
