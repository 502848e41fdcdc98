/**
 * Dynamic routes in a static export (see README, "Dynamic routes and deep links").
 *
 * `output: 'export'` can only emit pages for params known at build time, but token ids and
 * client ids are not. So every dynamic segment is prerendered once with the placeholder "_"
 * (out/exit/_.html for app/(desk)/exit/[tokenId]/page.tsx), the backend serves that file for
 * any /exit/<id>, and the page reads the real value from the URL with usePathParams()
 * (never from useParams(), which reports the placeholder).
 *
 *   // app/(desk)/exit/[tokenId]/page.tsx
 *   export const dynamicParams = false;
 *   export const generateStaticParams = () => placeholderParams('tokenId');
 */

export const PLACEHOLDER = '_';

/** generateStaticParams() for a route whose dynamic segments are only known at run time. */
export function placeholderParams<K extends string>(...names: K[]): Array<Record<K, string>> {
  return [Object.fromEntries(names.map((n) => [n, PLACEHOLDER])) as Record<K, string>];
}

/**
 * Matches a pathname against a route pattern written like the app folder:
 * matchPath('/exit/[tokenId]', '/exit/1594') -> { tokenId: '1594' }. Returns null when it
 * does not match, or when a segment still holds the build-time placeholder.
 */
export function matchPath(pattern: string, pathname: string): Record<string, string> | null {
  const split = (p: string) => p.split('/').filter(Boolean);
  // Route groups like (desk) are not part of the URL.
  const want = split(pattern).filter((s) => !/^\(.+\)$/.test(s));
  const got = split(pathname);
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (const [i, seg] of want.entries()) {
    const value = got[i] as string;
    const name = /^\[([^\].]+)\]$/.exec(seg)?.[1];
    if (name === undefined) {
      if (seg !== value) return null;
      continue;
    }
    let decoded: string;
    try {
      decoded = decodeURIComponent(value);
    } catch {
      return null;
    }
    if (decoded === PLACEHOLDER || decoded === '') return null;
    params[name] = decoded;
  }
  return params;
}
