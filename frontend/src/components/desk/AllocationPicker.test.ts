import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';

import type { AllocationPickerValues } from '@/lib/allocation';
import { ApiError } from '@/lib/http';

import { AllocationPicker, useAllocationPicker } from './AllocationPicker';

/**
 * The desk as it is when a preview or execute-all answer arrives: the picker mid-edit, the server's
 * refusal handed to showServerError (React Hook Form's setError), then the picker rendered.
 */
function render(values: Partial<AllocationPickerValues>, refusal: unknown): { html: string; shown: boolean } {
  let shown = false;
  function Desk() {
    const picker = useAllocationPicker(values);
    shown = picker.showServerError(refusal);
    return createElement(AllocationPicker, { picker, disabled: false, lotSize: 1, clientIds: [1, 2, 3] });
  }
  return { html: renderToStaticMarkup(createElement(Desk)), shown };
}

/** The message shown under a field, and whether the field itself is marked invalid. */
function fieldState(html: string, testId: string, errorId: string) {
  const field = html.match(new RegExp(`<(?:select|input)[^>]*data-testid="${testId}"[^>]*>`))?.[0] ?? '';
  return {
    invalid: field.includes('aria-invalid="true"'),
    describedBy: field.includes(errorId),
    message: html.match(new RegExp(`<p id="${errorId}"[^>]*>([^<]*)</p>`))?.[1],
  };
}

const sized: Partial<AllocationPickerValues> = { mode: 'group', group_id: '7', method: 'amount', value: '5000' };

describe('AllocationPicker: a server refusal lands on its field', () => {
  it('no price to size an amount by: on the method', () => {
    const err = new ApiError('NO_PRICE_FOR_SIZING', 'No price to size RELIANCE by; give a LIMIT price.', 422, {
      field: 'allocation.method',
    });
    const { html, shown } = render(sized, err);
    expect(shown).toBe(true);
    expect(fieldState(html, 'allocation-method', 'allocation-method-error')).toEqual({
      invalid: true,
      describedBy: true,
      message: 'No price to size RELIANCE by; give a LIMIT price.',
    });
    expect(fieldState(html, 'allocation-value', 'allocation-value-error').invalid).toBe(false);
  });

  it('a percent out of range (the body validation, by loc): on the input', () => {
    const err = new ApiError('VALIDATION_ERROR', 'The request is invalid.', 422, {
      errors: [{ loc: ['body', 'allocation', 'percent'], msg: 'Input should be less than or equal to 100' }],
    });
    const { html } = render({ mode: 'clients', client_ids: [1], method: 'pct_equity', value: '101' }, err);
    expect(fieldState(html, 'allocation-value', 'allocation-value-error')).toEqual({
      invalid: true,
      describedBy: true,
      message: 'Input should be less than or equal to 100',
    });
  });

  it('an empty group: on the group', () => {
    const err = new ApiError('ALLOCATION_INPUT', "Group 'Model' has no members.", 422, { field: 'group_id' });
    const { html } = render(sized, err);
    expect(fieldState(html, 'allocation-group', 'allocation-group-error')).toMatchObject({
      invalid: true,
      message: 'Group &#x27;Model&#x27; has no members.',
    });
  });

  it('a client that is not on this desk: on the ticked clients', () => {
    const err = new ApiError('CLIENT_NOT_FOUND', 'No client with id 9.', 404, { field: 'client_ids', client_ids: [9] });
    const { html } = render({ mode: 'clients', client_ids: [9], value: '5' }, err);
    expect(html).toMatch(/<p id="allocation-clients-error"[^>]*>No client with id 9\.<\/p>/);
    expect(html).toContain('data-testid="allocation-clients" data-count="1"');
  });

  it('a refusal about something else is left for the dialog to show', () => {
    const halted = new ApiError('TRADING_HALTED', 'Trading is halted firm-wide.', 409, { scope: 'firm' });
    const price = new ApiError('VALIDATION_ERROR', 'The request is invalid.', 422, {
      errors: [{ loc: ['body', 'price'], msg: 'not on the tick' }],
    });
    for (const err of [halted, price, new Error('network')]) {
      const { html, shown } = render(sized, err);
      expect(shown).toBe(false);
      expect(html).not.toContain('aria-invalid="true"');
    }
  });
});

describe('AllocationPicker: selected clients', () => {
  it('offers the three modes and, for ticked clients, their count with the method and its input', () => {
    const { html } = render({ mode: 'clients', client_ids: [1, 3], method: 'fixed', value: '5' }, null);
    expect(html).toContain('>Selected clients<');
    expect(html).toContain('2 ticked in the list below');
    expect(html).not.toContain('data-testid="allocation-group"');
    expect(html).toContain('data-testid="allocation-method"');
    expect(html).toContain('Each ticked client counts once (multiplier 1).');
  });
});
