'use client';

import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';

import { ApiError, call, client } from '@/lib/api';
import type { Instrument } from '@/lib/api-types';

import { inputClass } from './ui';

interface TokenSearchProps {
  onSelect: (instrument: Instrument) => void;
  label?: string;
  placeholder?: string;
  /** Prefix for data-testids (default "token-search"). */
  testId?: string;
  autoFocus?: boolean;
}

const DEBOUNCE_MS = 150;

/**
 * Instrument search as an ARIA combobox: type ("REL"), ArrowDown/ArrowUp to move, Enter to pick,
 * Escape to close. GET /tokens/search?q=&limit=10.
 */
export function TokenSearch({
  onSelect,
  label = 'Search instrument',
  placeholder = 'Symbol or name, e.g. RELIANCE',
  testId = 'token-search',
  autoFocus,
}: TokenSearchProps) {
  const id = useId();
  const listId = `${id}-list`;
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<Instrument[]>([]);
  const [resultsFor, setResultsFor] = useState('');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);

  const q = query.trim();
  useEffect(() => {
    if (q === '') {
      setResults([]);
      setResultsFor('');
      setLoading(false);
      return;
    }
    const controller = new AbortController();
    setLoading(true);
    const timer = setTimeout(() => {
      call(client.GET('/api/v1/tokens/search', { params: { query: { q, limit: 10 } }, signal: controller.signal }))
        .then((items) => {
          setResults(items);
          setResultsFor(q);
          setActive((a) => (a >= items.length ? items.length - 1 : a));
          setError(null);
          setLoading(false);
        })
        .catch((err: unknown) => {
          if (controller.signal.aborted) return;
          setError(err instanceof ApiError ? err.message : 'Search failed');
          setResults([]);
          setResultsFor(q);
          setLoading(false);
        });
    }, DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [q]);

  const choose = (instrument: Instrument) => {
    onSelect(instrument);
    setQuery('');
    setResults([]);
    setOpen(false);
    setActive(-1);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      setOpen(true);
      if (results.length) setActive((a) => (a + 1) % results.length);
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setOpen(true);
      if (results.length) setActive((a) => (a <= 0 ? results.length - 1 : a - 1));
    } else if (e.key === 'Enter') {
      // Never submit a surrounding form from the search box.
      e.preventDefault();
      const pick = results[active] ?? (results.length === 1 ? results[0] : undefined);
      if (open && pick) choose(pick);
    } else if (e.key === 'Escape') {
      setOpen(false);
      setActive(-1);
    }
  };

  const showList = open && q !== '';
  const activeId = active >= 0 && results[active] ? `${id}-opt-${active}` : undefined;

  return (
    <div className="relative">
      <label htmlFor={`${id}-input`} className="mb-1 block text-sm font-medium">
        {label}
      </label>
      <input
        ref={inputRef}
        id={`${id}-input`}
        data-testid={`${testId}-input`}
        type="search"
        role="combobox"
        aria-expanded={showList}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={activeId}
        autoComplete="off"
        autoCapitalize="characters"
        spellCheck={false}
        autoFocus={autoFocus}
        placeholder={placeholder}
        value={query}
        onChange={(e) => {
          setQuery(e.target.value);
          setOpen(true);
          setActive(-1);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setOpen(false)}
        onKeyDown={onKeyDown}
        className={inputClass}
      />
      {showList && (
        <ul
          id={listId}
          role="listbox"
          aria-label="Instruments"
          data-testid={`${testId}-results`}
          data-query={resultsFor}
          data-loading={loading ? 'true' : 'false'}
          className="absolute z-30 mt-1 max-h-80 w-full overflow-y-auto rounded-lg border border-slate-200 bg-white py-1 shadow-lg"
        >
          {error && <li className="px-3 py-2 text-sm text-red-700">{error}</li>}
          {!error && results.length === 0 && (
            <li className="px-3 py-2 text-sm text-slate-500">{loading ? 'Searching…' : 'No instrument matches.'}</li>
          )}
          {results.map((r, i) => (
            <li
              key={r.token_id}
              id={`${id}-opt-${i}`}
              role="option"
              aria-selected={i === active}
              data-testid={`${testId}-option`}
              data-symbol={r.symbol}
              data-token-id={r.token_id}
              // Keep focus in the input; pick on mouse down so blur does not close the list first.
              onMouseDown={(e) => {
                e.preventDefault();
                choose(r);
              }}
              onMouseEnter={() => setActive(i)}
              className={`flex min-h-11 cursor-pointer items-center justify-between gap-3 px-3 text-sm ${
                i === active ? 'bg-slate-900 text-white' : 'hover:bg-slate-100'
              }`}
            >
              <span className="min-w-0">
                <span className="font-semibold">{r.symbol}</span>{' '}
                <span className={`truncate ${i === active ? 'text-slate-300' : 'text-slate-500'}`}>{r.name}</span>
              </span>
              <span className={`shrink-0 text-xs ${i === active ? 'text-slate-300' : 'text-slate-500'}`}>
                {r.exchange} · {r.token_id}
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
