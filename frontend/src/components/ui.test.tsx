// @vitest-environment jsdom
import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import { ApiError } from '@/lib/http';

import { ErrorAlert, Pnl, ProgressBar, SignedMoney } from './ui';

describe('signed amounts (Pnl, SignedMoney)', () => {
  it('keep the sign and the number in one unbreakable piece of text', () => {
    render(
      <p style={{ width: 40 }}>
        Unrealised <Pnl value="-31.5" testId="loss" />
      </p>,
    );
    const loss = screen.getByTestId('loss');
    expect(loss.textContent).toBe('-₹31.50');
    // One text node, no break opportunity the layout may take: the sign never ends a line alone.
    expect(loss.childNodes).toHaveLength(1);
    expect(loss.className).toContain('whitespace-nowrap');
  });

  it('read as a loss in red and a gain in green with its plus sign', () => {
    render(
      <>
        <Pnl value="-31.5" testId="loss" />
        <Pnl value="12" testId="gain" />
        <Pnl value="-0.004" testId="nothing" />
        <Pnl value={null} testId="unknown" />
      </>,
    );
    expect(screen.getByTestId('loss').className).toContain('text-red-700');
    expect(screen.getByTestId('gain')).toHaveProperty('textContent', '+₹12.00');
    expect(screen.getByTestId('gain').className).toContain('text-emerald-700');
    // Rounds to nothing: neither a red "-₹0.00" nor a loss.
    expect(screen.getByTestId('nothing')).toHaveProperty('textContent', '₹0.00');
    expect(screen.getByTestId('nothing').className).not.toContain('text-red-700');
    expect(screen.getByTestId('unknown')).toHaveProperty('textContent', '—');
  });

  it('can be shown without the gain/loss colour', () => {
    render(<SignedMoney value="-5" plain testId="plain" />);
    expect(screen.getByTestId('plain').className).not.toContain('text-red-700');
    expect(screen.getByTestId('plain').className).toContain('whitespace-nowrap');
  });
});

describe('ProgressBar with parts', () => {
  it('fills each outcome’s share in its own colour and leaves the rest grey', () => {
    render(
      <ProgressBar
        value={2}
        max={4}
        testId="bar"
        parts={[
          { key: 'FILLED', value: 0, colour: 'bg-emerald-600', label: 'Filled' },
          { key: 'DENIED', value: 1, colour: 'bg-red-600', label: 'Denied' },
          { key: 'FAILED', value: 1, colour: 'bg-amber-500', label: 'Failed' },
        ]}
      />,
    );
    const bar = screen.getByTestId('bar');
    expect(bar.querySelector('[data-part=FILLED]')).toBeNull();
    const denied = bar.querySelector<HTMLElement>('[data-part=DENIED]')!;
    expect(denied.className).toContain('bg-red-600');
    expect(denied.style.width).toBe('25%');
    expect(bar.getAttribute('aria-valuetext')).toBe('1 Denied, 1 Failed');
    expect(bar.querySelector('.bg-emerald-600')).toBeNull();
  });
});

describe('ErrorAlert', () => {
  it('shows an API error as its sentence, not its code', () => {
    render(<ErrorAlert error={new ApiError('INSUFFICIENT_MARGIN', 'INSUFFICIENT_MARGIN: required 20.00, available 5.00', 409)} />);
    expect(screen.getByRole('alert').textContent).toBe('Insufficient margin: needs ₹20.00, available ₹5.00');
  });
});
