import { describe, expect, it } from 'vitest';

import {
  actionLabel,
  actionTone,
  AUDIT_ACTIONS,
  auditExportFilename,
  auditFiltersError,
  auditQuery,
  describeChain,
  emptyAuditFilters,
  entityLabel,
  payloadSummary,
  shortHash,
  type AuditFilters,
} from './audit';

const f = (patch: Partial<AuditFilters> = {}): AuditFilters => ({ ...emptyAuditFilters(), ...patch });

describe('audit filters', () => {
  it('sends only the filters that are set, the actor as a number', () => {
    expect(auditQuery(f())).toEqual({});
    expect(auditQuery(f({ action: ' risk.halt ', actor_id: '1', date_from: '2026-11-01', date_to: '2026-11-23' }))).toEqual({
      action: 'risk.halt',
      actor_id: 1,
      date_from: '2026-11-01',
      date_to: '2026-11-23',
    });
  });

  it('refuses a range that ends before it starts, and malformed values', () => {
    expect(auditFiltersError(f())).toBeNull();
    expect(auditFiltersError(f({ date_from: '2026-11-23', date_to: '2026-11-23' }))).toBeNull();
    expect(auditFiltersError(f({ date_from: '2026-11-24', date_to: '2026-11-23' }))).toBe('From must be on or before To');
    expect(auditFiltersError(f({ date_from: '23/11/2026' }))).toBe('From must be a date');
    expect(auditFiltersError(f({ actor_id: 'me' }))).toBe('Choose a user from the list');
  });
});

describe('auditExportFilename', () => {
  const now = new Date('2026-11-23T20:00:00Z'); // 24 Nov in Asia/Kolkata
  it('dates the file by the IST day', () => {
    expect(auditExportFilename(f(), now)).toBe('audit-2026-11-24.csv');
  });
  it('names the filters', () => {
    expect(auditExportFilename(f({ action: 'risk.halt', actor_id: '1', date_from: '2026-11-01' }), now)).toBe(
      'audit-risk.halt-user1-2026-11-01_2026-11-24.csv',
    );
    expect(auditExportFilename(f({ date_to: '2026-11-02' }), now)).toBe('audit-start_2026-11-02.csv');
    expect(auditExportFilename(f({ action: 'a/b c' }), now)).toBe('audit-a_b_c-2026-11-24.csv');
  });
});

describe('showing events', () => {
  it('labels known actions and keeps unknown ones as they are', () => {
    expect(actionLabel('risk.halt')).toBe('Trading halted');
    expect(actionLabel('something.new')).toBe('something.new');
    expect(new Set(AUDIT_ACTIONS.map((a) => a.value)).size).toBe(AUDIT_ACTIONS.length);
    expect(actionTone('risk.halt')).toBe('bad');
    expect(actionTone('risk.resume')).toBe('good');
    expect(actionTone('risk.limits.update')).toBe('warn');
    expect(actionTone('order.place')).toBe('neutral');
  });

  it('names the entity', () => {
    expect(entityLabel({ entity_type: 'order', entity_id: '42' })).toBe('order #42');
    expect(entityLabel({ entity_type: 'risk_limits', entity_id: 'firm' })).toBe('risk_limits firm');
    expect(entityLabel({ entity_type: null, entity_id: null })).toBe('');
    expect(entityLabel({ entity_type: 'batch', entity_id: null })).toBe('batch');
  });

  it('summarises the payload on one line', () => {
    expect(payloadSummary({})).toBe('');
    expect(payloadSummary({ scope: 'firm', reason: 'x' })).toBe('{"scope":"firm","reason":"x"}');
    const long = payloadSummary({ text: 'y'.repeat(500) }, 40);
    expect(long).toHaveLength(40);
    expect(long.endsWith('…')).toBe(true);
  });

  it('shortens hashes', () => {
    expect(shortHash('a'.repeat(64))).toBe(`${'a'.repeat(12)}…`);
    expect(shortHash('abc')).toBe('abc');
  });
});

describe('describeChain', () => {
  it('says the chain is intact', () => {
    expect(describeChain({ ok: true, checked: 42, first_broken_id: null, reason: null })).toBe(
      'Chain intact: 42 events checked.',
    );
    expect(describeChain({ ok: true, checked: 1, first_broken_id: null, reason: null })).toBe(
      'Chain intact: 1 event checked.',
    );
  });

  it('names the first broken link and why', () => {
    expect(
      describeChain({ ok: false, checked: 16, first_broken_id: 17, reason: "hash does not match the event's content" }),
    ).toBe("Chain broken at event #17: hash does not match the event's content. The 16 events before it are intact.");
    expect(describeChain({ ok: false, checked: 0, first_broken_id: 1, reason: null })).toBe(
      'Chain broken at event #1: a hash does not match. No event before it checks out.',
    );
  });
});
