/**
 * The market phase in words and the countdown to the next open or close, from GET /market/status.
 * Times run on the server's clock (which a demo may have moved, MULTIDESK_SIM_CLOCK_START): the caller
 * keeps the offset between the server's `now` and the browser's clock when the status arrived.
 */
import type { MarketPhase, MarketStatus } from './api-types';

export const PHASE_LABEL: Record<MarketPhase, string> = {
  pre_open: 'Pre-open',
  open: 'Open',
  closed: 'Closed',
  holiday: 'Holiday',
  weekend: 'Weekend',
};

/** The instant the countdown runs to: the close while open, otherwise the next open. */
export function countdownTarget(status: MarketStatus): { verb: 'opens' | 'closes'; at: string } {
  return status.phase === 'open' ? { verb: 'closes', at: status.next_close } : { verb: 'opens', at: status.next_open };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** "2d 3h", "3h 05m", "4m 09s"; "now" once it is due. */
export function formatCountdown(ms: number): string {
  if (ms <= 0) return 'now';
  const seconds = Math.floor(ms / 1000);
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return `${hours}h ${pad(minutes)}m`;
  return `${minutes}m ${pad(seconds % 60)}s`;
}

/** The server's clock minus the browser's, measured when the status arrived. */
export function clockOffset(status: MarketStatus, receivedAt: number): number {
  return Date.parse(status.now) - receivedAt;
}

/** "opens in 3h 05m" / "closes in 4m 09s", at server time `serverNow` (ms). */
export function countdownText(status: MarketStatus, serverNow: number): string {
  const { verb, at } = countdownTarget(status);
  const left = Date.parse(at) - serverNow;
  return left <= 0 ? `${verb} now` : `${verb} in ${formatCountdown(left)}`;
}

const IST_SHORT = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Asia/Kolkata',
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** "Tue 27 Jan, 09:15 IST". */
export function formatOpenIST(iso: string): string {
  const parts: Record<string, string> = {};
  for (const p of IST_SHORT.formatToParts(new Date(iso))) parts[p.type] = p.value;
  return `${parts.weekday} ${parts.day} ${parts.month}, ${parts.hour}:${parts.minute} IST`;
}

/** The header's words: "NSE Holiday (Republic Day)". */
export function phaseText(status: MarketStatus): string {
  const holiday = status.phase === 'holiday' && status.holiday_name ? ` (${status.holiday_name})` : '';
  return `${status.exchange} ${PHASE_LABEL[status.phase]}${holiday}`;
}

/** Whether orders now are refused unless sent as AMOs (for clients whose broker follows the exchange). */
export const isClosed = (status: MarketStatus | undefined) => status !== undefined && status.phase !== 'open';
