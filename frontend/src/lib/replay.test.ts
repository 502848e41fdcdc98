import { describe, expect, it } from 'vitest';

import { applyTick, formatMarketTime, replayActions, seekInstant, toLocalInput } from './replay';

describe('market clock', () => {
  it('shows the replayed instant in Indian time', () => {
    expect(formatMarketTime('2026-11-30T03:46:30Z')).toMatch(/30 Nov,? 09:16:30/);
  });

  it('takes a socket tick as the replay clock', () => {
    expect(applyTick(null, { now: '2026-11-30T03:46:30Z', running: false })).toEqual({
      now: '2026-11-30T03:46:30Z',
      running: false,
      source: 'replay',
    });
  });
});

describe('seek input', () => {
  it('reads a datetime-local value as Indian time', () => {
    expect(seekInstant('2026-11-30T09:16')).toBe('2026-11-30T09:16:00+05:30');
    expect(seekInstant('2026-11-30T09:16:30')).toBe('2026-11-30T09:16:30+05:30');
    expect(new Date(seekInstant('2026-11-30T09:16')!).toISOString()).toBe('2026-11-30T03:46:00.000Z');
  });

  it('refuses what is not a time', () => {
    expect(seekInstant('')).toBeNull();
    expect(seekInstant('30/11/2026 09:16')).toBeNull();
    expect(seekInstant('2026-13-45T09:16')).toBeNull();
  });

  it('round-trips an instant through the input', () => {
    expect(toLocalInput('2026-11-30T03:46:30Z')).toBe('2026-11-30T09:16:30');
    expect(seekInstant(toLocalInput('2026-11-30T03:46:30Z'))).toBe('2026-11-30T09:16:30+05:30');
  });
});

describe('replay actions', () => {
  const end = '2026-11-30T05:45:00Z';
  it('offers pause while running, resume while paused, nothing at the end', () => {
    expect(replayActions({ running: true, now: '2026-11-30T04:00:00Z', end })).toEqual({
      label: 'Running',
      canPause: true,
      canResume: false,
    });
    expect(replayActions({ running: false, now: '2026-11-30T04:00:00Z', end }).canResume).toBe(true);
    expect(replayActions({ running: false, now: end, end })).toEqual({ label: 'Ended', canPause: false, canResume: false });
  });
});
