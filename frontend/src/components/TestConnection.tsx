'use client';

import { useState } from 'react';

import { call, client } from '@/lib/api';
import { errorText } from '@/lib/errors';

import { Button } from './ui';

type Result = { ok: boolean; message: string };

/** Logs in at the client's broker with the stored credentials and shows what the broker said. */
export function TestConnection({ clientId }: { clientId: number }) {
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<Result | null>(null);

  async function run() {
    setBusy(true);
    setResult(null);
    try {
      setResult(
        await call(client.POST('/api/v1/clients/{client_id}/test-connection', { params: { path: { client_id: clientId } } })),
      );
    } catch (error) {
      setResult({ ok: false, message: errorText(error) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="flex flex-col items-end gap-1">
      <Button variant="secondary" onClick={run} disabled={busy} data-testid="test-connection">
        {busy ? 'Testing…' : 'Test connection'}
      </Button>
      {result && (
        <p
          role="status"
          data-testid="test-connection-result"
          className={`max-w-xs text-right text-sm ${result.ok ? 'text-emerald-700' : 'text-red-700'}`}
        >
          {result.ok ? '✓ ' : '✗ '}
          {result.message}
        </p>
      )}
    </div>
  );
}
