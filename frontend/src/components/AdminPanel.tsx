'use client';

import { useMemo, useState } from 'react';
import { useForm } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';

import { useApi } from '@/hooks/useApi';
import { api, ApiError } from '@/lib/api';
import type { Page, User } from '@/lib/api-types';
import { userCreateSchema, type UserCreateValues } from '@/lib/validation';
import { time } from '@/lib/format';
import { useAuthStore } from '@/stores/auth';

import { AuditLog } from './AuditLog';
import { FirmRiskLimits } from './FirmRiskLimits';
import { KillSwitch } from './KillSwitch';
import { ReplayControls } from './ReplayControls';
import {
  Button,
  Card,
  Empty,
  ErrorAlert,
  FieldError,
  inputClass,
  Loading,
  Modal,
  PageTitle,
  Pager,
} from './ui';

const PAGE = 100;
/** The API's largest page: names for the audit log and the kill switch's advisors. */
const DIRECTORY = '/users?limit=500';

/**
 * /admin (admins only): the kill switch, the firm's default risk limits, users (list, create,
 * deactivate, lift sign-in lockouts) and the audit log (filter, verify the chain, export CSV).
 */
export function AdminPanel() {
  const me = useAuthStore((s) => s.user);
  const [offset, setOffset] = useState(0);
  const users = useApi<Page<User>>(`/users?limit=${PAGE}&offset=${offset}`);
  const directory = useApi<Page<User>>(DIRECTORY);
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
      await api.post<User>(`/users/${u.id}/unlock`);
      setUnlockResult({ ok: true, message: `${u.email} can sign in again from anywhere.` });
      audited();
    } catch (err) {
      setUnlockResult({ ok: false, message: err instanceof ApiError ? err.message : 'Something went wrong. Please try again.' });
    }
  };

  const deactivate = async () => {
    if (!deactivating) return;
    setBusy(true);
    setActionError(null);
    try {
      const updated = await api.post<User>(`/users/${deactivating.id}/deactivate`);
      users.setData((page) => page && { ...page, items: page.items.map((u) => (u.id === updated.id ? updated : u)) });
      setDeactivating(null);
      reloadDirectory();
      audited();
    } catch (err) {
      setActionError(err instanceof ApiError ? err.message : 'Something went wrong. Please try again.');
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
      onCreated(await api.post<User>('/users', values));
    } catch (err) {
      setError('root.server', { message: err instanceof ApiError ? err.message : 'Something went wrong.' });
    }
  });

  return (
    <form noValidate onSubmit={onSubmit} className="space-y-3">
      {errors.root?.server && <ErrorAlert error={errors.root.server.message ?? 'Error'} />}
      <div>
        <label htmlFor="nu-email" className="mb-1 block text-sm font-medium">
          Email
        </label>
        <input id="nu-email" type="email" autoComplete="off" className={inputClass} {...register('email')} />
        <FieldError message={errors.email?.message} />
      </div>
      <div>
        <label htmlFor="nu-name" className="mb-1 block text-sm font-medium">
          Full name
        </label>
        <input id="nu-name" className={inputClass} {...register('full_name')} />
        <FieldError message={errors.full_name?.message} />
      </div>
      <div>
        <label htmlFor="nu-role" className="mb-1 block text-sm font-medium">
          Role
        </label>
        <select id="nu-role" className={inputClass} {...register('role')}>
          <option value="advisor">Advisor</option>
          <option value="viewer">Viewer (read only)</option>
          <option value="admin">Admin</option>
        </select>
      </div>
      <div>
        <label htmlFor="nu-password" className="mb-1 block text-sm font-medium">
          Initial password
        </label>
        <input id="nu-password" type="password" autoComplete="new-password" className={inputClass} {...register('password')} />
        <FieldError message={errors.password?.message} />
      </div>
      <div className="flex justify-end gap-2">
        <Button variant="secondary" onClick={onCancel} disabled={isSubmitting}>
          Cancel
        </Button>
        <Button type="submit" disabled={isSubmitting}>
          {isSubmitting ? 'Creating…' : 'Create user'}
        </Button>
      </div>
    </form>
  );
}
