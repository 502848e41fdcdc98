/**
 * Saving a file the app fetched itself (with the bearer token, which a plain link cannot send):
 * `await call(client.GET('/api/v1/...', { parseAs: 'blob' }))`, then `saveBlob(blob, name)`.
 */
export function saveBlob(blob: Blob, filename: string): void {
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = filename;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Revoked later, not at once: some browsers start reading the blob after click() returns.
  setTimeout(() => URL.revokeObjectURL(href), 60_000);
}
