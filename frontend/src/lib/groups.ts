/**
 * Client groups in the browser: the group form's Zod schema (name, which clients, each one's multiplier)
 * and the helpers that turn a group and the client list into form rows and form values into a request body.
 * The server checks the same bounds; these give the advisor the message before the round trip.
 */
import { z } from './zod';

import type { Client, ClientGroup, GroupCreate, GroupUpdate } from './api-types';
import { cmp, dec, isZero, PLAIN_DECIMAL_RE } from './decimal';

/** The server's ceiling (app/schemas/groups.py MULTIPLIER_MAX) and its four decimal places. */
export const MULTIPLIER_MAX = '1000';
export const MULTIPLIER_PLACES = 4;

/** Checks a typed multiplier: a plain decimal > 0, at most 1000, at most 4 places. An error message or null. */
export function multiplierError(raw: string): string | null {
  const value = raw.trim();
  if (value === '') return 'Multiplier is required';
  if (!PLAIN_DECIMAL_RE.test(value)) return 'Multiplier must be a number like 1.5';
  const d = dec(value);
  if (isZero(d)) return 'Multiplier must be greater than 0';
  if (cmp(d, dec(MULTIPLIER_MAX)) > 0) return `Multiplier must be at most ${MULTIPLIER_MAX}`;
  if ((value.split('.')[1] ?? '').length > MULTIPLIER_PLACES)
    return `Multiplier takes at most ${MULTIPLIER_PLACES} decimal places`;
  return null;
}

const memberRow = z.object({
  client_id: z.number().int().positive(),
  display_name: z.string(),
  broker_client_id: z.string(),
  is_active: z.boolean(),
  selected: z.boolean(),
  multiplier: z.string(),
});

export type GroupMemberRow = z.infer<typeof memberRow>;

export const groupFormSchema = z.object({
  name: z.string().trim().min(1, 'Name is required').max(200, 'Name is at most 200 characters'),
  members: z.array(memberRow).superRefine((rows, ctx) => {
    rows.forEach((row, index) => {
      // Only a ticked client's multiplier is sent, so only it is checked.
      const message = row.selected ? multiplierError(row.multiplier) : null;
      if (message) ctx.addIssue({ code: 'custom', message, path: [index, 'multiplier'] });
    });
  }),
});

export type GroupFormValues = z.infer<typeof groupFormSchema>;

/**
 * One row per client that can be in the group: every active client, plus members that were deactivated
 * since (they stay members and are shown as inactive). Members come first, then the rest, each by name.
 */
export function groupFormRows(clients: Client[], group?: ClientGroup): GroupMemberRow[] {
  const members = new Map((group?.members ?? []).map((m) => [m.client_id, m]));
  const rows: GroupMemberRow[] = (group?.members ?? []).map((m) => ({
    client_id: m.client_id,
    display_name: m.display_name,
    broker_client_id: m.broker_client_id,
    is_active: m.is_active,
    selected: true,
    multiplier: m.multiplier,
  }));
  const others = clients
    .filter((c) => c.is_active && !members.has(c.id))
    .map((c) => ({
      client_id: c.id,
      display_name: c.display_name,
      broker_client_id: c.broker_client_id,
      is_active: c.is_active,
      selected: false,
      multiplier: '1',
    }));
  const byName = (a: GroupMemberRow, b: GroupMemberRow) =>
    a.display_name.localeCompare(b.display_name) || a.client_id - b.client_id;
  return [...rows.sort(byName), ...others.sort(byName)];
}

export function emptyGroupForm(clients: Client[]): GroupFormValues {
  return { name: '', members: groupFormRows(clients) };
}

/** The body of POST /groups or PATCH /groups/{id}: the name and the ticked clients with their multipliers. */
export function toGroupBody(values: GroupFormValues): GroupCreate & GroupUpdate {
  return {
    name: values.name.trim(),
    members: values.members
      .filter((row) => row.selected)
      .map((row) => ({ client_id: row.client_id, multiplier: row.multiplier.trim() })),
  };
}

/** "3 clients" / "1 client (1 inactive)": the group's size as the list shows it. */
export function memberSummary(group: ClientGroup): string {
  const count = group.members.length;
  const inactive = group.members.filter((m) => !m.is_active).length;
  const base = `${count} client${count === 1 ? '' : 's'}`;
  return inactive > 0 ? `${base} (${inactive} inactive)` : base;
}
