// @vitest-environment jsdom
import { act, renderHook, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import { ApiError } from '@/lib/api';

import { useApiData } from './useApi';

describe('useApiData', () => {
  it('loads for a key, loads again when the key changes, and forgets the old data meanwhile', async () => {
    const seen: string[] = [];
    const { result, rerender } = renderHook(({ key }) => useApiData(key, async () => (seen.push(key), `data:${key}`)), {
      initialProps: { key: 'a' },
    });
    await waitFor(() => expect(result.current.data).toBe('data:a'));
    rerender({ key: 'b' });
    expect(result.current.data).toBeUndefined();
    await waitFor(() => expect(result.current.data).toBe('data:b'));
    expect(seen).toEqual(['a', 'b']);
  });

  it('keeps the ApiError of a failed load and loads again on reload()', async () => {
    let fail = true;
    const { result } = renderHook(() =>
      useApiData('k', async () => {
        if (fail) throw new ApiError('NOT_FOUND', 'No such client', 404);
        return 1;
      }),
    );
    await waitFor(() => expect(result.current.error?.code).toBe('NOT_FOUND'));
    expect(result.current.loading).toBe(false);
    fail = false;
    act(() => result.current.reload());
    await waitFor(() => expect(result.current.data).toBe(1));
    expect(result.current.error).toBeNull();
  });

  it('does nothing for a null key', () => {
    const { result } = renderHook(() => useApiData(null, async () => 1));
    expect(result.current).toMatchObject({ data: undefined, loading: false, error: null });
  });
});
