import { describe, expect, it } from 'vitest';

import type { Client, ClientGroup } from './api-types';
import {
  groupFormRows,
  groupFormSchema,
  memberSummary,
  multiplierError,
  toGroupBody,
  type GroupMemberRow,
} from './groups';

const client = (id: number, name: string, active = true): Client => ({
  id,
  owner_id: 1,
  display_name: name,
  broker: 'simulator',
  broker_client_id: `SIM${id}`,
  is_active: active,
  credentials_set: {},
  opening_cash: '0',
  created_at: '2026-11-23T09:00:00Z',
  updated_at: '2026-11-23T09:00:00Z',
  summary: null,
});

const group: ClientGroup = {
  id: 7,
  owner_id: 1,
  name: 'Large',
  created_at: '2026-11-23T09:00:00Z',
  updated_at: '2026-11-23T09:00:00Z',
  members: [
    { client_id: 3, display_name: 'Zed', broker_client_id: 'SIM3', multiplier: '2.50', is_active: true },
    { client_id: 4, display_name: 'Gone', broker_client_id: 'SIM4', multiplier: '1.00', is_active: false },
  ],
};

describe('multiplierError', () => {
  it.each(['1', '0.0001', '1000', '2.5', ' 3 '])('accepts %j', (raw) => expect(multiplierError(raw)).toBeNull());
  it.each([
    ['', 'required'],
    ['0', 'greater than 0'],
    ['0.0000', 'greater than 0'],
    ['-1', 'number like'],
    ['1e2', 'number like'],
    ['١', 'number like'],
    ['1000.0001', 'at most 1000'],
    ['0.00001', 'decimal places'],
  ])('refuses %j', (raw, message) => expect(multiplierError(raw)).toContain(message));
});

describe('groupFormRows', () => {
  it('lists members first (inactive ones kept) then the other active clients, each by name', () => {
    const rows = groupFormRows([client(1, 'Bea'), client(2, 'Al'), client(3, 'Zed'), client(5, 'Off', false)], group);
    expect(rows.map((r) => [r.client_id, r.selected, r.multiplier, r.is_active])).toEqual([
      [4, true, '1.00', false],
      [3, true, '2.50', true],
      [2, false, '1', true],
      [1, false, '1', true],
    ]);
  });
});

describe('groupFormSchema and toGroupBody', () => {
  const [al, bea] = groupFormRows([client(1, 'Al'), client(2, 'Bea')]) as [GroupMemberRow, GroupMemberRow];

  it('sends only ticked clients, with their multipliers as decimal strings', () => {
    const values = groupFormSchema.parse({
      name: '  Model A ',
      members: [
        { ...al, selected: true, multiplier: ' 1.5 ' },
        { ...bea, selected: false, multiplier: 'junk' },
      ],
    });
    expect(toGroupBody(values)).toEqual({ name: 'Model A', members: [{ client_id: 1, multiplier: '1.5' }] });
  });

  it('checks a ticked client’s multiplier and the name', () => {
    const result = groupFormSchema.safeParse({
      name: ' ',
      members: [{ ...al, selected: true, multiplier: '0' }, bea],
    });
    expect(result.success).toBe(false);
    const issues = result.error!.issues.map((i) => [i.path.join('.'), i.message]);
    expect(issues).toEqual([
      ['name', 'Name is required'],
      ['members.0.multiplier', 'Multiplier must be greater than 0'],
    ]);
  });
});

describe('memberSummary', () => {
  it('counts members and says how many are inactive', () => {
    expect(memberSummary(group)).toBe('2 clients (1 inactive)');
    expect(memberSummary({ ...group, members: group.members.slice(0, 1) })).toBe('1 client');
  });
});
