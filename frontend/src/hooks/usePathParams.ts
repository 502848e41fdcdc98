'use client';

import { usePathname } from 'next/navigation';
import { useMemo } from 'react';

import { matchPath } from '@/lib/routes';

/**
 * The real values of a dynamic route's segments, read from the URL:
 * usePathParams('/exit/[tokenId]') -> { tokenId: '1594' }. Null while prerendering
 * (the placeholder "_") or when the URL does not fit the pattern. See lib/routes.ts.
 */
export function usePathParams(pattern: string): Record<string, string> | null {
  const pathname = usePathname();
  return useMemo(() => matchPath(pattern, pathname), [pattern, pathname]);
}
