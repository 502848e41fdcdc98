/**
 * Idempotency keys for batch submissions (execute-all, exit-by-token).
 *
 * One key per confirmed submission. If the request fails without a clear answer (network error,
 * timeout, 5xx) and the user retries the SAME request, the SAME key goes again, so the backend
 * returns the batch it may already have created instead of placing every order twice. A changed
 * request, or a new one after a success, gets a fresh key.
 */

/** RFC 4122 v4 uuid; crypto.randomUUID needs a secure context, so fall back to getRandomValues. */
export function uuid4(): string {
  const c = globalThis.crypto;
  if (typeof c?.randomUUID === 'function') return c.randomUUID();
  const b = new Uint8Array(16);
  c.getRandomValues(b);
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Stable JSON (sorted keys) so that equal requests compare equal. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

export class SubmissionKey {
  #pending: { key: string; body: string } | null = null;

  constructor(private readonly generate: () => string = uuid4) {}

  /** The key to send with `body`: the pending one if this is a retry of the same request. */
  keyFor(body: unknown): string {
    const canonical = canonicalJson(body);
    if (this.#pending?.body !== canonical) this.#pending = { key: this.generate(), body: canonical };
    return this.#pending.key;
  }

  /** The server answered (a batch, or a definite refusal): the next submission is a new one. */
  settle(): void {
    this.#pending = null;
  }

  get pendingKey(): string | null {
    return this.#pending?.key ?? null;
  }
}

/**
 * Whether a failed submission may have reached the server: no response, a timeout or a 5xx.
 * Then the retry must reuse the key. A 4xx is a clear "no": nothing was created.
 */
export function isUncertainFailure(err: unknown): boolean {
  if (typeof err !== 'object' || err === null || !('status' in err)) return true;
  const status = (err as { status: unknown }).status;
  return typeof status !== 'number' || status === 0 || status === 408 || status >= 500;
}
