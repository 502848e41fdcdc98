/**
 * Replay helpers: the market clock shown in Indian time, and the admin's seek input (a wall time in
 * Asia/Kolkata, as typed in a datetime-local field) turned into the instant the API wants.
 */
import type { MarketClock, MarketClockTick } from './api-types';

const IST_OFFSET = '+05:30';

const clockFormat = new Intl.DateTimeFormat('en-IN', {
  timeZone: 'Asia/Kolkata',
  day: '2-digit',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});

/** "30 Nov, 09:16:30" in Indian time. */
export function formatMarketTime(iso: string): string {
  return clockFormat.format(new Date(iso));
}

/** A datetime-local value ("2026-11-30T09:16" or with seconds), read as Indian time, as an ISO instant; null if not one. */
export function seekInstant(local: string): string | null {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2})?$/.exec(local.trim());
  if (!m) return null;
  const iso = `${m[1]}T${m[2]}${m[3] ?? ':00'}${IST_OFFSET}`;
  return Number.isNaN(Date.parse(iso)) ? null : iso;
}

/** The datetime-local value (Indian wall time, to the second) of an ISO instant. */
export function toLocalInput(iso: string): string {
  const shifted = new Date(Date.parse(iso) + 330 * 60_000);
  return shifted.toISOString().slice(0, 19);
}

/** The clock after a socket tick: only a replay's clock moves this way. */
export function applyTick(clock: MarketClock | null, tick: MarketClockTick): MarketClock {
  return { now: tick.now, running: tick.running, source: clock?.source ?? 'replay' };
}

/** What the admin's replay panel offers: pause while running, resume while paused short of the end. */
export function replayActions(status: { running: boolean; now: string; end: string }): {
  label: string;
  canPause: boolean;
  canResume: boolean;
} {
  const ended = Date.parse(status.now) >= Date.parse(status.end);
  if (status.running) return { label: 'Running', canPause: true, canResume: false };
  return { label: ended ? 'Ended' : 'Paused', canPause: false, canResume: !ended };
}
