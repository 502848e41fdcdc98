'use client';

import { useForm, useWatch } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';

import { useApiData } from '@/hooks/useApi';
import { call, client as api } from '@/lib/api';
import type { Client } from '@/lib/api-types';
import { errorText } from '@/lib/errors';
import {
  clientFormSchema,
  CREDENTIAL_FIELDS,
  emptyClientForm,
  toClientCreate,
  toClientUpdate,
  type ClientFormValues,
} from '@/lib/validation';
import { useAuthStore } from '@/stores/auth';

import { Field, FormActions } from './form/Field';
import { Button, Checkbox, ErrorAlert, inputClass } from './ui';

interface ClientFormProps {
  /** Edit this client; create a new one when absent. */
  client?: Client;
  onSaved: (client: Client) => void;
  onCancel: () => void;
}

/**
 * Create or edit a client. Broker credentials are write-only: the form never shows stored
 * values, only "set / not set"; an empty input leaves a secret unchanged, "Clear" sends "".
 */
export function ClientForm({ client, onSaved, onCancel }: ClientFormProps) {
  const isAdmin = useAuthStore((s) => s.user?.role === 'admin');
  const editing = client !== undefined;
  const users = useApiData(isAdmin && !editing ? 'users:directory' : null, (signal) =>
    call(api.GET('/api/v1/users', { params: { query: { limit: 500 } }, signal })),
  );

  const {
    register,
    handleSubmit,
    setValue,
    setError,
    control,
    formState: { errors, isSubmitting },
  } = useForm<ClientFormValues>({
    resolver: zodResolver(clientFormSchema),
    defaultValues: client
      ? {
          ...emptyClientForm(),
          display_name: client.display_name,
          broker: client.broker,
          broker_client_id: client.broker_client_id,
          is_active: client.is_active,
        }
      : emptyClientForm(),
  });
  const clear = useWatch({ control, name: 'clear' });
  const isActive = useWatch({ control, name: 'is_active' });

  const onSubmit = handleSubmit(async (values) => {
    try {
      if (client) {
        const body = toClientUpdate(client, values);
        if (Object.keys(body).length === 0) {
          setError('root.server', { message: 'Nothing changed.' });
          return;
        }
        onSaved(await call(api.PATCH('/api/v1/clients/{client_id}', { params: { path: { client_id: client.id } }, body })));
      } else {
        // A blank opening cash is the API's default, 0 (the schema marks the defaulted field as required).
        onSaved(await call(api.POST('/api/v1/clients', { body: { opening_cash: '0', ...toClientCreate(values) } })));
      }
    } catch (err) {
      setError('root.server', { message: errorText(err) });
    }
  });

  return (
    <form noValidate onSubmit={onSubmit} className="space-y-3" data-testid="client-form">
      {errors.root?.server && <ErrorAlert error={errors.root.server.message ?? 'Error'} />}

      <Field id="cf-name" label="Name" error={errors.display_name?.message}>
        {(p) => <input {...p} className={inputClass} {...register('display_name')} />}
      </Field>

      <div className="grid gap-3 sm:grid-cols-2">
        <Field id="cf-broker" label="Broker">
          {(p) =>
            editing ? (
              <p id={p.id} className="flex min-h-11 items-center text-sm text-slate-700">
                {client.broker === 'motilal' ? 'Motilal Oswal' : 'Simulator'} (fixed)
              </p>
            ) : (
              <select {...p} className={inputClass} {...register('broker')}>
                <option value="simulator">Simulator</option>
                <option value="motilal">Motilal Oswal</option>
              </select>
            )
          }
        </Field>
        <Field id="cf-bcid" label="Broker client id" error={errors.broker_client_id?.message}>
          {(p) => <input {...p} autoComplete="off" className={inputClass} {...register('broker_client_id')} />}
        </Field>
      </div>

      {!editing && (
        <div className="grid gap-3 sm:grid-cols-2">
          <Field id="cf-cash" label="Opening cash (₹)" error={errors.opening_cash?.message}>
            {(p) => <input {...p} inputMode="decimal" placeholder="0" className={inputClass} {...register('opening_cash')} />}
          </Field>
          {isAdmin && (
            <Field id="cf-owner" label="Advisor">
              {(p) => (
                <select {...p} className={inputClass} {...register('owner_id')}>
                  <option value="">Me</option>
                  {(users.data?.items ?? [])
                    .filter((u) => u.role === 'advisor' && u.is_active)
                    .map((u) => (
                      <option key={u.id} value={String(u.id)}>
                        {u.full_name} ({u.email})
                      </option>
                    ))}
                </select>
              )}
            </Field>
          )}
        </div>
      )}

      {editing && (
        <div className="flex items-center gap-1 text-sm">
          <Checkbox
            label="Active"
            testId="client-active"
            checked={isActive}
            onChange={(on) => setValue('is_active', on, { shouldDirty: true })}
          />
          Active (inactive clients are left out of the desk)
        </div>
      )}

      <fieldset className="space-y-2 rounded-lg border border-slate-200 p-3">
        <legend className="px-1 text-sm font-medium">Broker credentials (write-only)</legend>
        <p className="text-xs text-slate-500">
          Stored encrypted and never shown again. Leave a field empty to keep what is stored.
        </p>
        {CREDENTIAL_FIELDS.map(({ name, label }) => {
          const isSet = client?.credentials_set?.[name] === true;
          const clearing = clear[name];
          return (
            <div key={name} data-testid={`cred-${name}`}>
              <Field
                id={`cf-${name}`}
                label={label}
                error={errors.credentials?.[name]?.message}
                labelExtra={
                  editing && (
                    <span
                      data-testid={`cred-${name}-state`}
                      className={`rounded-full px-2 py-0.5 text-xs ${isSet ? 'bg-emerald-100 text-emerald-800' : 'bg-slate-100 text-slate-600'}`}
                    >
                      {clearing ? 'will be cleared' : isSet ? 'set' : 'not set'}
                    </span>
                  )
                }
              >
                {(p) => (
                  <div className="flex gap-2">
                    <input
                      {...p}
                      type="password"
                      autoComplete="new-password"
                      readOnly={clearing}
                      placeholder={clearing ? '' : isSet ? 'unchanged' : ''}
                      className={inputClass}
                      {...register(`credentials.${name}`)}
                    />
                    {editing && isSet && (
                      <Button
                        variant="secondary"
                        onClick={() => {
                          setValue(`credentials.${name}`, '');
                          setValue(`clear.${name}`, !clearing);
                        }}
                      >
                        {clearing ? 'Undo' : 'Clear'}
                      </Button>
                    )}
                  </div>
                )}
              </Field>
            </div>
          );
        })}
      </fieldset>

      <FormActions
        submitting={isSubmitting}
        submitLabel={editing ? 'Save changes' : 'Add client'}
        onCancel={onCancel}
        submitTestId="client-form-save"
      />
    </form>
  );
}
