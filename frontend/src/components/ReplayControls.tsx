'use client';

import { useState } from 'react';

import { useApiData } from '@/hooks/useApi';
import { call, client } from '@/lib/api';
import type { ReplayStatus } from '@/lib/api-types';
import { errorText } from '@/lib/errors';
import { formatMarketTime, replayActions, seekInstant, toLocalInput } from '@/lib/replay';

import { Button, Card, ErrorAlert, inputClass } from './ui';

/**
 * The admin page's replay panel (only while MULTIDESK_MARKET_DATA=replay; nothing otherwise): the replayed
 * time and span, pause / resume, and seek to a time typed in Indian time. Each action is audited by the server.
 */
export function ReplayControls({ onChanged }: { onChanged?: () => void }) {
  const replay = useApiData('market-replay', (signal) => call(client.GET('/api/v1/market/replay', { signal })));
  const [target, setTarget] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  if (replay.error?.code === 'REPLAY_NOT_ACTIVE') return null;
  const status = replay.data;

  const act = async (send: () => Promise<ReplayStatus>) => {
    setBusy(true);
    setError(null);
    try {
      const next = await send();
      replay.setData(() => next);
      onChanged?.();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  const pause = () => act(() => call(client.POST('/api/v1/market/replay/pause')));
  const resume = () => act(() => call(client.POST('/api/v1/market/replay/resume')));

  const seek = () => {
    const to = seekInstant(target);
    if (!to) {
      setError('Give a date and time, in Indian time.');
      return;
    }
    void act(() => call(client.POST('/api/v1/market/replay/seek', { body: { to } })));
  };

  const actions = status ? replayActions(status) : null;
  return (
    <Card data-testid="replay-controls">
      <h2 className="text-base font-semibold text-slate-900">Market replay</h2>
      {replay.error && <ErrorAlert error={replay.error} onRetry={replay.reload} />}
      {status && actions && (
        <div className="mt-2 space-y-3 text-sm">
          <p>
            <span data-testid="replay-state" className="font-medium">
              {actions.label}
            </span>{' '}
            at <span data-testid="replay-now">{formatMarketTime(status.now)}</span> IST · speed {status.speed}× · file{' '}
            {formatMarketTime(status.start)} to {formatMarketTime(status.end)}
          </p>
          <div className="flex flex-wrap items-end gap-2">
            <Button disabled={busy || !actions.canPause} onClick={() => void pause()}>
              Pause
            </Button>
            <Button disabled={busy || !actions.canResume} onClick={() => void resume()}>
              Resume
            </Button>
            <label className="flex flex-col text-xs text-slate-600">
              Seek to (IST)
              <input
                type="datetime-local"
                step={1}
                aria-label="Seek to (IST)"
                className={inputClass}
                min={toLocalInput(status.start)}
                max={toLocalInput(status.end)}
                value={target}
                onChange={(e) => setTarget(e.target.value)}
              />
            </label>
            <Button variant="secondary" disabled={busy || !target} onClick={seek}>
              Seek
            </Button>
          </div>
          {error && <ErrorAlert error={error} />}
        </div>
      )}
    </Card>
  );
}
