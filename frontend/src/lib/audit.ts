/**
 * The audit log's filters (the query GET /audit and /audit/export.csv take), the actions the backend
 * records, and how an event, its payload and a chain report are shown.
 */
import type { AuditEvent, AuditQuery, ChainReport } from './api-types';
import { dayIST } from './format';

/** Filters as the form holds them: '' means any. Days are Asia/Kolkata calendar days (YYYY-MM-DD). */
export interface AuditFilters {
  action: string;
  actor_id: string;
  date_from: string;
  date_to: string;
}

export const emptyAuditFilters = (): AuditFilters => ({ action: '', actor_id: '', date_from: '', date_to: '' });

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

/** Why these filters cannot be sent, or null. (The API would answer 422 INVALID_DATE or an empty page.) */
export function auditFiltersError(f: AuditFilters): string | null {
  if (f.actor_id !== '' && !/^[1-9]\d*$/.test(f.actor_id)) return 'Choose a user from the list';
  if (f.date_from !== '' && !DAY_RE.test(f.date_from)) return 'From must be a date';
  if (f.date_to !== '' && !DAY_RE.test(f.date_to)) return 'To must be a date';
  if (f.date_from !== '' && f.date_to !== '' && f.date_from > f.date_to) return 'From must be on or before To';
  return null;
}

/** The query parameters for the filters that are set (shared by the list and the CSV export). */
export function auditQuery(f: AuditFilters): AuditQuery {
  const q: AuditQuery = {};
  if (f.action.trim() !== '') q.action = f.action.trim();
  if (f.actor_id !== '') q.actor_id = Number(f.actor_id);
  if (f.date_from !== '') q.date_from = f.date_from;
  if (f.date_to !== '') q.date_to = f.date_to;
  return q;
}

/** The saved file's name: `audit-2026-11-23.csv`, or `audit-risk.halt-2026-11-01_2026-11-23.csv` when filtered. */
export function auditExportFilename(f: AuditFilters, now: Date): string {
  const parts = ['audit'];
  if (f.action.trim() !== '') parts.push(f.action.trim().replace(/[^A-Za-z0-9._-]+/g, '_'));
  if (f.actor_id !== '') parts.push(`user${f.actor_id}`);
  if (f.date_from !== '' || f.date_to !== '') parts.push(`${f.date_from || 'start'}_${f.date_to || dayIST(now)}`);
  else parts.push(dayIST(now));
  return `${parts.join('-')}.csv`;
}

/** Every action the backend records (the filter's choices); the filter also takes any other. */
export const AUDIT_ACTIONS: ReadonlyArray<{ value: string; label: string }> = [
  { value: 'auth.login', label: 'Sign-in' },
  { value: 'auth.login_failed', label: 'Failed sign-in' },
  { value: 'auth.login_refused_inactive', label: 'Sign-in refused (inactive)' },
  { value: 'user.create', label: 'User created' },
  { value: 'user.update', label: 'User changed' },
  { value: 'client.create', label: 'Client created' },
  { value: 'client.update', label: 'Client changed' },
  { value: 'client.test_connection', label: 'Broker connection tested' },
  { value: 'vault.rotate', label: 'Credentials re-encrypted' },
  { value: 'order.place', label: 'Order placed' },
  { value: 'order.modify', label: 'Order modified' },
  { value: 'order.cancel', label: 'Order cancelled' },
  { value: 'order.exit', label: 'Position exited' },
  { value: 'batch.execute_all', label: 'Execute all' },
  { value: 'batch.exit_by_token', label: 'Exit by token' },
  { value: 'risk.limits.update', label: 'Risk limits changed' },
  { value: 'risk.halt', label: 'Trading halted' },
  { value: 'risk.resume', label: 'Trading resumed' },
  { value: 'demo.seed', label: 'Demo data seeded' },
];

const ACTION_LABEL = new Map(AUDIT_ACTIONS.map((a) => [a.value, a.label]));

export function actionLabel(action: string): string {
  return ACTION_LABEL.get(action) ?? action;
}

/**
 * Tone of an action's badge: halts and failures stand out in red; a resume is good news, not a
 * warning (it was amber once, like a halt's aftermath); other risk changes are amber.
 */
export function actionTone(action: string): 'bad' | 'warn' | 'good' | 'neutral' {
  if (action === 'risk.halt' || action === 'auth.login_failed' || action === 'auth.login_refused_inactive') return 'bad';
  if (action === 'risk.resume' || action === 'auth.login') return 'good';
  if (action.startsWith('risk.')) return 'warn';
  return 'neutral';
}

/** "order #42", "risk_limits firm", or '' when the event names no entity. */
export function entityLabel(e: Pick<AuditEvent, 'entity_type' | 'entity_id'>): string {
  if (!e.entity_type && !e.entity_id) return '';
  if (!e.entity_id) return e.entity_type ?? '';
  const id = /^\d+$/.test(e.entity_id) ? `#${e.entity_id}` : e.entity_id;
  return e.entity_type ? `${e.entity_type} ${id}` : id;
}

/** The payload on one line (compact JSON), cut at `max` characters; '' for an empty payload. */
export function payloadSummary(payload: Record<string, unknown>, max = 160): string {
  if (Object.keys(payload).length === 0) return '';
  const text = JSON.stringify(payload);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The first characters of a sha256 hex digest, enough to tell links apart on screen. */
export function shortHash(hash: string, length = 12): string {
  return hash.length > length ? `${hash.slice(0, length)}…` : hash;
}

/**
 * "Chain intact: 42 events checked." or
 * "Chain broken at event #17: hash does not match the event's content. The 16 events before it are intact."
 */
export function describeChain(report: ChainReport): string {
  const n = (k: number) => `${k} event${k === 1 ? '' : 's'}`;
  if (report.ok) return `Chain intact: ${n(report.checked)} checked.`;
  const where = report.first_broken_id !== null ? ` at event #${report.first_broken_id}` : '';
  const before = report.checked === 0 ? 'No event before it checks out.' : `The ${n(report.checked)} before it ${report.checked === 1 ? 'is' : 'are'} intact.`;
  return `Chain broken${where}: ${report.reason ?? 'a hash does not match'}. ${before}`;
}
