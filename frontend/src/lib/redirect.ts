/**
 * Where to go after login: the `next` query parameter if it is a same-origin path,
 * otherwise the dashboard. Rejects absolute and protocol-relative URLs (open redirects).
 */
export function safeNextPath(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  if (next === '/login' || next.startsWith('/login?') || next.startsWith('/login/')) return '/';
  return next;
}

/** The login URL that brings the user back to `path` afterwards. */
export function loginPath(path: string): string {
  return path === '/' || path === '' ? '/login' : `/login?next=${encodeURIComponent(path)}`;
}
