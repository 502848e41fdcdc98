// @vitest-environment jsdom
import { fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';

import { DateRangeFilter, type DayRange } from './DateRangeFilter';
import { Field } from './Field';
import { FilterPanel } from './FilterPanel';

function Range({ initial, onChange }: { initial: DayRange; onChange?: (r: DayRange) => void }) {
  const [range, setRange] = useState(initial);
  return (
    <>
      <DateRangeFilter
        idPrefix="t"
        testIdPrefix="t"
        value={range}
        onChange={(r) => {
          setRange(r);
          onChange?.(r);
        }}
      />
      <button type="button" onClick={() => setRange({ from: '', to: '' })}>
        reset
      </button>
    </>
  );
}

describe('DateRangeFilter', () => {
  it('shows the days as dd/mm/yyyy, not the API form or the browser locale', () => {
    render(<Range initial={{ from: '2026-11-02', to: '2026-12-01' }} />);
    expect(screen.getByLabelText('From (IST)')).toHaveProperty('value', '02/11/2026');
    expect(screen.getByLabelText('To (IST)')).toHaveProperty('value', '01/12/2026');
    expect(screen.getByLabelText('From (IST)').getAttribute('placeholder')).toBe('dd/mm/yyyy');
  });

  it('sends the typed day to the filter as YYYY-MM-DD', () => {
    const onChange = vi.fn();
    render(<Range initial={{ from: '', to: '' }} onChange={onChange} />);
    fireEvent.change(screen.getByLabelText('From (IST)'), { target: { value: '05/11/2026' } });
    expect(onChange).toHaveBeenLastCalledWith({ from: '2026-11-05', to: '' });
    expect(screen.getByLabelText('From (IST)')).toHaveProperty('value', '05/11/2026');
  });

  it('says what is wrong with a day that is not dd/mm/yyyy and keeps the last good one', () => {
    const onChange = vi.fn();
    render(<Range initial={{ from: '2026-11-05', to: '' }} onChange={onChange} />);
    const from = screen.getByLabelText('From (IST)');
    fireEvent.change(from, { target: { value: '11/31/2026' } });
    fireEvent.blur(from);
    expect(onChange).not.toHaveBeenCalled();
    expect(screen.getByRole('alert').textContent).toMatch(/dd\/mm\/yyyy/);
    expect(from.getAttribute('aria-invalid')).toBe('true');
    expect(from.getAttribute('data-day')).toBe('2026-11-05');
  });

  it('flags a From after To, and shows a reset from outside', () => {
    render(<Range initial={{ from: '2026-12-02', to: '2026-12-01' }} />);
    expect(screen.getByRole('alert').textContent).toBe('From must be on or before To.');
    fireEvent.click(screen.getByText('reset'));
    expect(screen.getByLabelText('From (IST)')).toHaveProperty('value', '');
    expect(screen.queryByRole('alert')).toBeNull();
  });
});

describe('Field', () => {
  it('ties the control to its label, hint and error', () => {
    render(
      <Field id="f" label="Name" hint="As on the PAN card" error="Required">
        {(p) => <input {...p} />}
      </Field>,
    );
    const input = screen.getByLabelText('Name');
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(input.getAttribute('aria-describedby')).toBe('f-hint f-error');
    expect(document.getElementById('f-error')?.textContent).toBe('Required');
  });
});

describe('FilterPanel', () => {
  it('folds behind a button that counts the filters set; Reset only when one is set', () => {
    const onReset = vi.fn();
    const { rerender } = render(
      <FilterPanel id="p" active={0} onReset={onReset}>
        <span>fields</span>
      </FilterPanel>,
    );
    const toggle = screen.getByRole('button', { name: /^Filters/ });
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(screen.getByRole('button', { name: 'Reset filters' })).toHaveProperty('disabled', true);
    fireEvent.click(toggle);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    rerender(
      <FilterPanel id="p" active={2} onReset={onReset}>
        <span>fields</span>
      </FilterPanel>,
    );
    expect(screen.getByRole('button', { name: /^Filters \(2\)/ })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Reset filters' }));
    expect(onReset).toHaveBeenCalledOnce();
  });
});
