'use client';

import { useForm, useWatch } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';

import { useApi } from '@/hooks/useApi';
import { api, ApiError } from '@/lib/api';
import type { Client, Page, User } from '@/lib/api-types';
import {
  clientFormSchema,
  CREDENTIAL_FIELDS,
  emptyClientForm,
  toClientCreate,
  toClientUpdate,
  type ClientFormValues,
} from '@/lib/validation';
import { useAuthStore } from '@/stores/auth';

import { Button, Checkbox, ErrorAlert, FieldError, inputClass } from './ui';

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
  const users = useApi<Page<User>>(isAdmin && !editing ? '/users?limit=500' : null);

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
        onSaved(await api.patch<Client>(`/clients/${client.id}`, body));
      } else {
        onSaved(await api.post<Client>('/clients', toClientCreate(values)));
      }
    } catch (err) {
      setError('root.server', {
        message: err instanceof ApiError ? err.message : 'Something went wrong. Please try again.',
      });
    }
  });

  return (
    <form noValidate onSubmit={onSubmit} className="space-y-3" data-testid="client-form">
      {errors.root?.server && <ErrorAlert error={errors.root.server.message ?? 'Error'} />}

      <div>
        <label htmlFor="cf-name" className="mb-1 block text-sm font-medium">
          Name
        </label>
        <input id="cf-name" className={inputClass} aria-invalid={errors.display_name ? true : undefined} {...register('display_name')} />
        <FieldError message={errors.display_name?.message} />
      </div>

      <div className="grid gap-3 sm:grid-cols-2">
        <div>
          <label htmlFor="cf-broker" className="mb-1 block text-sm font-medium">
            Broker
          </label>
          {editing ? (
            <p id="cf-broker" className="flex min-h-11 items-center text-sm text-slate-700">
              {client.broker === 'motilal' ? 'Motilal Oswal' : 'Simulator'} (fixed)
            </p>
          ) : (
            <select id="cf-broker" className={inputClass} {...register('broker')}>
              <option value="simulator">Simulator</option>
              <option value="motilal">Motilal Oswal</option>
            </select>
          )}
        </div>
        <div>
          <label htmlFor="cf-bcid" className="mb-1 block text-sm font-medium">
            Broker client id
          </label>
          <input
            id="cf-bcid"
            autoComplete="off"
            className={inputClass}
            aria-invalid={errors.broker_client_id ? true : undefined}
            {...register('broker_client_id')}
          />
          <FieldError message={errors.broker_client_id?.message} />
        </div>
      </div>

      {!editing && (
        <div className="grid gap-3 sm:grid-cols-2">
          <div>
            <label htmlFor="cf-cash" className="mb-1 block text-sm font-medium">
              Opening cash (₹)
            </label>
            <input
              id="cf-cash"
              inputMode="decimal"
              placeholder="0"
              className={inputClass}
              aria-invalid={errors.opening_cash ? true : undefined}
              {...register('opening_cash')}
            />
            <FieldError message={errors.opening_cash?.message} />
          </div>
          {isAdmin && (
            <div>
              <label htmlFor="cf-owner" className="mb-1 block text-sm font-medium">
                Advisor
              </label>
              <select id="cf-owner" className={inputClass} {...register('owner_id')}>
                <option value="">Me</option>
                {(users.data?.items ?? [])
                  .filter((u) => u.role === 'advisor' && u.is_active)
                  .map((u) => (
                    <option key={u.id} value={String(u.id)}>
                      {u.full_name} ({u.email})
                    </option>
                  ))}
              </select>
            </div>
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
              <div className="mb-1 flex items-center justify-between gap-2">
                <label htmlFor={`cf-${name}`} className="text-sm font-medium">
                  {label}
                </label>
                {editing && (
                  <span
                    data-testid={`cred-${name}-state`}
                    className={`rounded-full px-2 py-0.5 text-xs ${isSet ? 'bg-emerald-100 text-emerald-800' : 'bg-slate-100 text-slate-600'}`}
                  >
                    {clearing ? 'will be cleared' : isSet ? 'set' : 'not set'}
                  </span>
                )}
              </div>
              <div className="flex gap-2">
                <input
                  id={`cf-${name}`}
                  type="password"
                  autoComplete="new-password"
                  readOnly={clearing}
                  placeholder={clearing ? '' : isSet ? 'unchanged' : ''}
                  className={inputClass}
                  aria-invalid={errors.credentials?.[name] ? true : undefined}
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
              <FieldError message={errors.credentials?.[name]?.message} />
            </div>
          );
        })}
      </fieldset>

      <div className="flex flex-wrap justify-end gap-2 pt-1">
        <Button variant="secondary" onClick={onCancel} disabled={isSubmitting}>
          Cancel
        </Button>
        <Button type="submit" disabled={isSubmitting} data-testid="client-form-save">
          {isSubmitting ? 'Saving…' : editing ? 'Save changes' : 'Add client'}
        </Button>
      </div>
    </form>
  );
}
