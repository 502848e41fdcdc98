'use client';

import { useState } from 'react';

import { parseDisplayDay, toDisplayDay } from '@/lib/dates';

import { inputClass } from '../ui';

export interface DayRange {
  /** YYYY-MM-DD or '' (open-ended) */
  from: string;
  to: string;
}

/**
 * From / To days typed as dd/mm/yyyy whatever the browser's locale (a native date input shows
 * mm/dd/yyyy in an en-US browser). A box reports its day once it reads as a real one (or is
 * emptied); until then it says what is wrong and the range keeps its last good value.
 */
export function DateRangeFilter({
  idPrefix,
  value,
  onChange,
  testIdPrefix,
  label = 'IST',
}: {
  idPrefix: string;
  value: DayRange;
  onChange: (range: DayRange) => void;
  testIdPrefix?: string;
  /** Shown after From / To, e.g. "(IST)". */
  label?: string;
}) {
  const order = value.from !== '' && value.to !== '' && value.from > value.to ? 'From must be on or before To.' : undefined;
  return (
    <>
      <DayBox
        id={`${idPrefix}-from`}
        label={`From (${label})`}
        value={value.from}
        onDay={(from) => onChange({ ...value, from })}
        testId={testIdPrefix && `${testIdPrefix}-from`}
        extraError={order}
      />
      <DayBox
        id={`${idPrefix}-to`}
        label={`To (${label})`}
        value={value.to}
        onDay={(to) => onChange({ ...value, to })}
        testId={testIdPrefix && `${testIdPrefix}-to`}
      />
    </>
  );
}

function DayBox({
  id,
  label,
  value,
  onDay,
  testId,
  extraError,
}: {
  id: string;
  label: string;
  value: string;
  onDay: (day: string) => void;
  testId?: string;
  extraError?: string;
}) {
  const [text, setText] = useState(() => toDisplayDay(value));
  const [shownFor, setShownFor] = useState(value);
  const [touched, setTouched] = useState(false);
  // The range changed from outside (e.g. "Reset filters"): show it.
  if (value !== shownFor) {
    setShownFor(value);
    if (parseDisplayDay(text) !== value) setText(toDisplayDay(value));
  }
  const parsed = parseDisplayDay(text);
  const error = parsed === null && touched ? 'Write the day as dd/mm/yyyy, e.g. 01/12/2026.' : extraError;
  const errorId = `${id}-error`;
  return (
    <div>
      <label htmlFor={id} className="mb-1 block text-sm font-medium">
        {label}
      </label>
      <input
        id={id}
        type="text"
        inputMode="numeric"
        autoComplete="off"
        placeholder="dd/mm/yyyy"
        value={text}
        data-testid={testId}
        data-day={value}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : undefined}
        onChange={(e) => {
          setText(e.target.value);
          const day = parseDisplayDay(e.target.value);
          if (day !== null && day !== value) {
            setShownFor(day);
            onDay(day);
          }
        }}
        onBlur={() => setTouched(true)}
        className={inputClass}
      />
      {error && (
        <p id={errorId} role="alert" className="mt-1 text-sm text-red-700">
          {error}
        </p>
      )}
    </div>
  );
}
