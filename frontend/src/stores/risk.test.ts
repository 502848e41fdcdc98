import { beforeEach, describe, expect, it, vi } from 'vitest';

import type { RiskStatus } from '@/lib/api-types';
import { useAuthStore } from '@/stores/auth';
import { json, mockFetch } from '@/test/fetch';

import { useRiskStore } from './risk';

const running: RiskStatus = { firm_halted: false, you_are_halted: false, halts: [], cancelled_order_ids: [], cancel_failures: [] };
const halted: RiskStatus = {
  firm_halted: true,
  you_are_halted: true,
  halts: [{ id: 1, scope: 'firm', advisor_id: null, reason: 'drill', halted_by: 1, halted_at: '2026-11-23T08:00:00Z' }],
  cancelled_order_ids: [],
  cancel_failures: [],
};

beforeEach(() => {
  useAuthStore.setState({ accessToken: 'acc', user: null, hydrated: true });
  useRiskStore.getState().clear();
});

describe('risk store', () => {
  it('refresh reads GET /risk/status', async () => {
    mockFetch({ 'GET /api/v1/risk/status': () => json(200, halted) });
    await useRiskStore.getState().refresh();
    expect(useRiskStore.getState().status).toEqual(halted);
  });

  it('load reports a failure to the page that asked, refresh keeps what is shown', async () => {
    useRiskStore.getState().setStatus(halted);
    mockFetch({ 'GET /api/v1/risk/status': () => json(503, { code: 'DATABASE_UNAVAILABLE', message: 'down' }) });
    await expect(useRiskStore.getState().load()).rejects.toBeTruthy();
    await useRiskStore.getState().refresh();
    expect(useRiskStore.getState().status).toEqual(halted);
  });

  it('a halt answered while the admin page loads is not overwritten by that older load', async () => {
    let answer: (r: Response) => void = () => undefined;
    mockFetch({ 'GET /api/v1/risk/status': () => new Promise<Response>((resolve) => (answer = resolve)) });
    const loading = useRiskStore.getState().load();
    useRiskStore.getState().setStatus(halted);
    answer(json(200, running));
    await loading;
    expect(useRiskStore.getState().status).toEqual(halted);
  });

  it('a halt answered while a poll is in flight is not overwritten by the older poll', async () => {
    let answer: (r: Response) => void = () => undefined;
    mockFetch({ 'GET /api/v1/risk/status': () => new Promise<Response>((resolve) => (answer = resolve)) });
    const polling = useRiskStore.getState().refresh();
    useRiskStore.getState().setStatus(halted); // the admin's POST /risk/halt answered
    answer(json(200, running)); // read before the halt
    await polling;
    expect(useRiskStore.getState().status).toEqual(halted);
  });

  it('of two overlapping GETs the later one wins, whichever answers first', async () => {
    const answers: Array<(r: Response) => void> = [];
    mockFetch({ 'GET /api/v1/risk/status': () => new Promise<Response>((resolve) => answers.push(resolve)) });
    const poll = useRiskStore.getState().refresh(); // the banner's poll, read before the halt
    const onEvent = useRiskStore.getState().refresh(); // started by risk_status, after the halt
    await vi.waitFor(() => expect(answers).toHaveLength(2));
    answers[0]!(json(200, running));
    await poll;
    expect(useRiskStore.getState().status).toEqual(running);
    answers[1]!(json(200, halted));
    await onEvent;
    expect(useRiskStore.getState().status).toEqual(halted);

    // The other way round: the earlier GET answering last is dropped.
    const earlier = useRiskStore.getState().refresh();
    const newer = useRiskStore.getState().refresh();
    await vi.waitFor(() => expect(answers).toHaveLength(4));
    answers[3]!(json(200, running));
    await newer;
    answers[2]!(json(200, halted));
    await earlier;
    expect(useRiskStore.getState().status).toEqual(running);
  });

  it('keeps the last status when the request fails', async () => {
    useRiskStore.getState().setStatus(halted);
    mockFetch({ 'GET /api/v1/risk/status': () => json(503, { error: { code: 'NOT_READY', message: 'x' } }) });
    await useRiskStore.getState().refresh();
    expect(useRiskStore.getState().status).toEqual(halted);
  });

  it('clear forgets it (signed out)', () => {
    useRiskStore.getState().setStatus(halted);
    useRiskStore.getState().clear();
    expect(useRiskStore.getState().status).toBeNull();
  });
});
