'use client';

import { useState } from 'react';

import { useApiData } from '@/hooks/useApi';
import { call, client } from '@/lib/api';
import type { ClientGroup } from '@/lib/api-types';
import { errorText } from '@/lib/errors';
import { memberSummary } from '@/lib/groups';
import { useAuthStore } from '@/stores/auth';

import { GroupForm } from './GroupForm';
import { Button, Card, Empty, ErrorAlert, Loading, Modal, PageTitle } from './ui';

/** The /groups page: each group with its members and multipliers; create, edit and delete (with confirmation). */
export function GroupsList() {
  const role = useAuthStore((s) => s.user?.role);
  const canEdit = role === 'admin' || role === 'advisor';
  const groups = useApiData('groups:all', (signal) =>
    call(client.GET('/api/v1/groups', { params: { query: { limit: 1000 } }, signal })),
  );
  const clients = useApiData(canEdit ? 'clients:active' : null, (signal) =>
    call(client.GET('/api/v1/clients', { params: { query: { limit: 1000 } }, signal })),
  );
  const [editing, setEditing] = useState<ClientGroup | 'new' | null>(null);
  const [deleting, setDeleting] = useState<ClientGroup | null>(null);
  const [deleteError, setDeleteError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const saved = () => {
    setEditing(null);
    groups.reload();
  };

  const confirmDelete = async () => {
    if (!deleting) return;
    setBusy(true);
    setDeleteError(null);
    try {
      await call(client.DELETE('/api/v1/groups/{group_id}', { params: { path: { group_id: deleting.id } } }));
      setDeleting(null);
      groups.reload();
    } catch (err) {
      setDeleteError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const items = groups.data?.items ?? [];
  return (
    <div>
      <PageTitle
        actions={
          canEdit && (
            <Button onClick={() => setEditing('new')} disabled={!clients.data} data-testid="add-group">
              New group
            </Button>
          )
        }
      >
        Client groups{groups.data ? ` (${groups.data.total})` : ''}
      </PageTitle>

      <Card>
        {groups.error && <ErrorAlert error={groups.error} onRetry={groups.reload} />}
        {groups.loading && !groups.data && <Loading>Loading groups…</Loading>}
        {groups.data && items.length === 0 && (
          <Empty testId="groups-empty">
            {canEdit ? 'No groups yet: make one to trade a set of clients together.' : 'No groups to show.'}
          </Empty>
        )}
        <ul className="divide-y divide-slate-100" data-testid="groups-list">
          {items.map((g) => (
            <li key={g.id} className="py-3" data-testid="groups-list-row" data-group-id={g.id}>
              <div className="flex flex-wrap items-start justify-between gap-2">
                <div className="min-w-0">
                  <h2 className="truncate font-medium" data-testid="group-name">
                    {g.name}
                  </h2>
                  <p className="text-xs text-slate-500">{memberSummary(g)}</p>
                </div>
                {canEdit && (
                  <div className="flex gap-2">
                    <Button variant="secondary" onClick={() => setEditing(g)} disabled={!clients.data}>
                      Edit
                    </Button>
                    <Button variant="ghost" onClick={() => setDeleting(g)} data-testid="delete-group">
                      Delete
                    </Button>
                  </div>
                )}
              </div>
              {g.members.length > 0 && (
                <ul className="mt-2 flex flex-wrap gap-1.5" data-testid="group-members">
                  {g.members.map((m) => (
                    <li
                      key={m.client_id}
                      data-testid="group-member"
                      className={`rounded-full px-2.5 py-1 text-xs ${m.is_active ? 'bg-slate-100 text-slate-800' : 'bg-amber-50 text-amber-800'}`}
                    >
                      {m.display_name} ×{m.multiplier}
                      {!m.is_active && ' · inactive'}
                    </li>
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ul>
      </Card>

      <Modal
        open={editing !== null}
        onClose={() => setEditing(null)}
        title={editing === 'new' ? 'New group' : 'Edit group'}
        testId="group-modal"
      >
        {editing !== null && clients.data && (
          <GroupForm
            clients={clients.data.items}
            group={editing === 'new' ? undefined : editing}
            onSaved={saved}
            onCancel={() => setEditing(null)}
          />
        )}
      </Modal>

      <Modal open={deleting !== null} onClose={() => setDeleting(null)} title="Delete group?" testId="delete-group-modal">
        {deleting && (
          <div className="space-y-3">
            <p className="text-sm">
              Delete <strong>{deleting.name}</strong>? Its {memberSummary(deleting)} stay on the desk; only the group
              goes.
            </p>
            {deleteError && <ErrorAlert error={deleteError} />}
            <div className="flex flex-wrap justify-end gap-2">
              <Button variant="secondary" onClick={() => setDeleting(null)} disabled={busy}>
                Cancel
              </Button>
              <Button variant="danger" onClick={confirmDelete} disabled={busy} data-testid="confirm-delete-group">
                {busy ? 'Deleting…' : 'Delete group'}
              </Button>
            </div>
          </div>
        )}
      </Modal>
    </div>
  );
}
