'use client';

import { useMemo, useState } from 'react';
import { useForm } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';

import { useApiData } from '@/hooks/useApi';
import { call, client } from '@/lib/api';
import type { User } from '@/lib/api-types';
import { errorText } from '@/lib/errors';
import { userCreateSchema, type UserCreateValues } from '@/lib/validation';
import { time } from '@/lib/format';
import { useAuthStore } from '@/stores/auth';

import { AuditLog } from './AuditLog';
import { FirmRiskLimits } from './FirmRiskLimits';
import { KillSwitch } from './KillSwitch';
import { ReplayControls } from './ReplayControls';
import { Field, FormActions } from './form/Field';
import { Button, Card, Empty, ErrorAlert, inputClass, Loading, Modal, PageTitle, Pager } from './ui';

const PAGE = 100;
/** The API's largest page: names for the audit log and the kill switch's advisors. */
const DIRECTORY = 500;

/**
 * /admin (admins only): the kill switch, the firm's default risk limits, users (list, create,
 * deactivate, lift sign-in lockouts) and the audit log (filter, verify the chain, export CSV).
 */
export function AdminPanel() {
  const me = useAuthStore((s) => s.user);
  const [offset, setOffset] = useState(0);
  const users = useApiData(`users:${offset}`, (signal) =>
    call(client.GET('/api/v1/users', { params: { query: { limit: PAGE, offset } }, signal })),
  );
  const directory = useApiData('users:directory', (signal) =>
    call(client.GET('/api/v1/users', { params: { query: { limit: DIRECTORY } }, signal })),
  );
  const everyone = useMemo(() => directory.data?.items ?? [], [directory.data]);
  const names = useMemo(() => new Map(everyone.map((u) => [u.id, u.full_name])), [everyone]);
  const advisors = useMemo(() => everyone.filter((u) => u.role === 'advisor' && u.is_active), [everyone]);
  // Bumped after an action on this page that writes audit events, so the log shows them.
  const [auditKey, setAuditKey] = useState(0);
  const audited = () => setAuditKey((k) => k + 1);
  const reloadDirectory = directory.reload;
  const [creating, setCreating] = useState(false);
  const [deactivating, setDeactivating] = useState<User | null>(null);
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);
  // The outcome of the last "Unlock sign-in" (shown above the list).
  const [unlockResult, setUnlockResult] = useState<{ ok: boolean; message: string } | null>(null);

  // Lifts the sign-in lockouts (429 LOGIN_LOCKED after repeated wrong passwords) of the user, from every address.
  const unlock = async (u: User) => {
    setUnlockResult(null);
    try {
      await call(client.POST('/api/v1/users/{user_id}/unlock', { params: { path: { user_id: u.id } } }));
      setUnlockResult({ ok: true, message: `${u.email} can sign in again from anywhere.` });
      audited();
    } catch (err) {
      setUnlockResult({ ok: false, message: errorText(err) });
    }
  };

  const deactivate = async () => {
    if (!deactivating) return;
    setBusy(true);
    setActionError(null);
    try {
      const updated = await call(
        client.POST('/api/v1/users/{user_id}/deactivate', { params: { path: { user_id: deactivating.id } } }),
      );
      users.setData((page) => page && { ...page, items: page.items.map((u) => (u.id === updated.id ? updated : u)) });
      setDeactivating(null);
      reloadDirectory();
      audited();
    } catch (err) {
      setActionError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="space-y-4">
      <PageTitle
        actions={
          <Button onClick={() => setCreating(true)} data-testid="add-user">
            Add user
          </Button>
        }
      >
        Admin
      </PageTitle>

      <KillSwitch advisors={advisors} names={names} onChanged={audited} />

      <FirmRiskLimits names={names} onChanged={audited} />

      <ReplayControls onChanged={audited} />

      <Card>
        <h2 className="mb-2 text-base font-semibold">Users{users.data ? ` (${users.data.total})` : ''}</h2>
        {users.error && <ErrorAlert error={users.error} onRetry={users.reload} />}
        {users.loading && !users.data && <Loading />}
        {unlockResult && !unlockResult.ok && <ErrorAlert error={unlockResult.message} />}
        {unlockResult?.ok && (
          <p role="status" data-testid="unlock-result" className="mb-2 rounded-lg bg-emerald-50 px-3 py-2 text-sm text-emerald-800">
            {unlockResult.message}
          </p>
        )}
        {users.data && users.data.items.length === 0 && <Empty>No users.</Empty>}
        {users.data && users.data.items.length > 0 && (
          <>
            <ul className="divide-y divide-slate-100" data-testid="users">
              {users.data.items.map((u) => (
                <li
                  key={u.id}
                  data-testid="user-row"
                  className="grid grid-cols-[minmax(0,1fr)_auto] items-center gap-x-3 gap-y-1 px-2 py-3 text-sm md:grid-cols-[minmax(0,2fr)_minmax(0,1fr)_minmax(0,1.4fr)_auto]"
                >
                  <span className="min-w-0">
                    <span className="block truncate font-medium">{u.full_name}</span>
                    <span className="block truncate text-xs text-slate-500">{u.email}</span>
                  </span>
                  <span className="text-right md:text-left">
                    <span className="rounded-full bg-slate-100 px-2 py-0.5 text-xs font-medium">{u.role}</span>{' '}
                    {!u.is_active && (
                      <span className="rounded-full bg-red-100 px-2 py-0.5 text-xs font-medium text-red-800">inactive</span>
                    )}
                  </span>
                  <span className="text-xs text-slate-500">since {time(u.created_at)}</span>
                  <span className="flex justify-end gap-2">
                    {u.is_active && u.id !== me?.id && (
                      <Button variant="secondary" onClick={() => void unlock(u)} data-testid="unlock-user">
                        Unlock sign-in
                      </Button>
                    )}
                    {u.is_active && u.id !== me?.id && (
                      <Button variant="secondary" onClick={() => setDeactivating(u)}>
                        Deactivate
                      </Button>
                    )}
                  </span>
                </li>
              ))}
            </ul>
            <Pager offset={offset} limit={PAGE} total={users.data.total} onOffset={setOffset} />
          </>
        )}
      </Card>

      <AuditLog users={everyone} names={names} reloadKey={auditKey} />

      <Modal open={creating} onClose={() => setCreating(false)} title="Add user" testId="add-user-dialog">
        {creating && (
          <CreateUser
            onCancel={() => setCreating(false)}
            onCreated={() => {
              setCreating(false);
              users.reload();
              reloadDirectory();
              audited();
            }}
          />
        )}
      </Modal>

      <Modal open={deactivating !== null} onClose={() => !busy && setDeactivating(null)} title="Deactivate user?">
        {deactivating && (
          <p className="text-sm">
            {deactivating.full_name} ({deactivating.email}) will no longer be able to sign in.
          </p>
        )}
        {actionError && (
          <div className="mt-3">
            <ErrorAlert error={actionError} />
          </div>
        )}
        <div className="mt-4 flex justify-end gap-2">
          <Button variant="secondary" onClick={() => setDeactivating(null)} disabled={busy}>
            Cancel
          </Button>
          <Button variant="danger" onClick={() => void deactivate()} disabled={busy}>
            {busy ? 'Deactivating…' : 'Deactivate'}
          </Button>
        </div>
      </Modal>
    </div>
  );
}

function CreateUser({ onCreated, onCancel }: { onCreated: (u: User) => void; onCancel: () => void }) {
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors, isSubmitting },
  } = useForm<UserCreateValues>({
    resolver: zodResolver(userCreateSchema),
    defaultValues: { email: '', full_name: '', role: 'advisor', password: '' },
  });

  const onSubmit = handleSubmit(async (values) => {
    try {
      onCreated(await call(client.POST('/api/v1/users', { body: values })));
    } catch (err) {
      setError('root.server', { message: errorText(err) });
    }
  });

  return (
    <form noValidate onSubmit={onSubmit} className="space-y-3">
      {errors.root?.server && <ErrorAlert error={errors.root.server.message ?? 'Error'} />}
      <Field id="nu-email" label="Email" error={errors.email?.message}>
        {(p) => <input {...p} type="email" autoComplete="off" className={inputClass} {...register('email')} />}
      </Field>
      <Field id="nu-name" label="Full name" error={errors.full_name?.message}>
        {(p) => <input {...p} className={inputClass} {...register('full_name')} />}
      </Field>
      <Field id="nu-role" label="Role">
        {(p) => (
          <select {...p} className={inputClass} {...register('role')}>
            <option value="advisor">Advisor</option>
            <option value="viewer">Viewer (read only)</option>
            <option value="admin">Admin</option>
          </select>
        )}
      </Field>
      <Field id="nu-password" label="Initial password" error={errors.password?.message}>
        {(p) => <input {...p} type="password" autoComplete="new-password" className={inputClass} {...register('password')} />}
      </Field>
      <FormActions submitting={isSubmitting} submitLabel="Create user" submittingLabel="Creating…" onCancel={onCancel} />
    </form>
  );
}
