'use client';

import { useEffect, useRef, type ButtonHTMLAttributes, type ReactNode } from 'react';

import type { BatchRowStatus } from '@/lib/api-types';
import { errorText } from '@/lib/errors';
import { signedMoney } from '@/lib/format';
import { ApiError } from '@/lib/http';
import { STATUS_LABEL, STATUS_TONE, type StatusTone } from '@/lib/orders';

export const inputClass =
  'block min-h-11 w-full min-w-0 rounded-lg border border-slate-300 bg-white px-3 text-base shadow-sm ' +
  'focus:border-slate-900 focus:outline-none focus:ring-2 focus:ring-slate-900/20 ' +
  'aria-[invalid=true]:border-red-600 disabled:bg-slate-100 disabled:text-slate-500';

const buttonBase =
  'inline-flex min-h-11 min-w-11 items-center justify-center gap-2 rounded-lg px-4 text-sm font-medium ' +
  'focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-slate-900 ' +
  'disabled:cursor-not-allowed disabled:opacity-50';

const buttonVariants = {
  primary: 'bg-slate-900 text-white hover:bg-slate-700',
  secondary: 'border border-slate-300 bg-white text-slate-900 hover:bg-slate-100',
  danger: 'bg-red-700 text-white hover:bg-red-600',
  buy: 'bg-emerald-700 text-white hover:bg-emerald-600',
  sell: 'bg-red-700 text-white hover:bg-red-600',
  ghost: 'text-slate-700 hover:bg-slate-100',
} as const;

export type ButtonVariant = keyof typeof buttonVariants;

export function buttonClass(variant: ButtonVariant = 'primary', extra = '') {
  return `${buttonBase} ${buttonVariants[variant]} ${extra}`;
}

export function Button({
  variant = 'primary',
  className = '',
  type = 'button',
  ...props
}: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: ButtonVariant }) {
  return <button type={type} className={buttonClass(variant, className)} {...props} />;
}

export function Card({ children, className = '', ...rest }: { children: ReactNode; className?: string } & Record<`data-${string}`, string>) {
  return (
    <section className={`rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:p-5 ${className}`} {...rest}>
      {children}
    </section>
  );
}

export function PageTitle({ children, actions }: { children: ReactNode; actions?: ReactNode }) {
  return (
    <div className="mb-4 flex flex-wrap items-center justify-between gap-3">
      <h1 className="min-w-0 text-xl font-semibold tracking-tight break-words">{children}</h1>
      {actions && <div className="flex flex-wrap gap-2">{actions}</div>}
    </div>
  );
}

/** An error for people: an API error shows as its sentence (lib/errors), never as its code. */
export function ErrorAlert({ error, onRetry, testId }: { error: { message: string } | string; onRetry?: () => void; testId?: string }) {
  const message = typeof error === 'string' ? error : error instanceof ApiError ? errorText(error) : error.message;
  return (
    <div
      role="alert"
      data-testid={testId ?? 'error'}
      className="flex flex-wrap items-center gap-3 rounded-lg border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800"
    >
      <span className="min-w-0 flex-1 break-words">{message}</span>
      {onRetry && (
        <Button variant="secondary" onClick={onRetry}>
          Try again
        </Button>
      )}
    </div>
  );
}

export function Loading({ children = 'Loading…' }: { children?: ReactNode }) {
  return (
    <p role="status" className="py-6 text-center text-sm text-slate-500">
      {children}
    </p>
  );
}

export function Empty({ children, testId }: { children: ReactNode; testId?: string }) {
  return (
    <p data-testid={testId} className="rounded-lg border border-dashed border-slate-300 px-4 py-6 text-center text-sm text-slate-500">
      {children}
    </p>
  );
}

/**
 * A signed rupee amount ("+₹31.50", "-₹31.50") that never breaks between its sign and its number, wherever it
 * sits (a narrow phone column, after a label). Toned green / red by the sign of what is shown, unless `plain`.
 */
export function SignedMoney({
  value,
  testId,
  plain = false,
  className = '',
}: {
  value: string | null | undefined;
  testId?: string;
  plain?: boolean;
  className?: string;
}) {
  const shown = signedMoney(value);
  const tone = plain || !shown ? 'text-slate-700' : SIGN_TONE[shown.sign];
  return (
    <span data-testid={testId} data-signed={shown?.sign ?? ''} className={`tabular-nums whitespace-nowrap ${tone} ${className}`}>
      {shown?.text ?? '—'}
    </span>
  );
}

/** Text colour of a gain (green), a loss (red) or nothing. */
export const SIGN_TONE: Record<-1 | 0 | 1, string> = {
  [-1]: 'text-red-700',
  0: 'text-slate-700',
  1: 'text-emerald-700',
};

/** A P&L amount, green when positive and red when negative, never wrapped between sign and number. */
export function Pnl({ value, testId }: { value: string | null | undefined; testId?: string }) {
  return <SignedMoney value={value} testId={testId} />;
}

const toneClass: Record<StatusTone, string> = {
  neutral: 'bg-slate-100 text-slate-700',
  info: 'bg-sky-100 text-sky-800',
  good: 'bg-emerald-100 text-emerald-800',
  bad: 'bg-red-100 text-red-800',
  warn: 'bg-amber-100 text-amber-900',
};

export function StatusBadge({ status, testId }: { status: BatchRowStatus; testId?: string }) {
  return (
    <span
      data-testid={testId}
      data-status={status}
      className={`inline-flex items-center rounded-full px-2 py-0.5 text-xs font-semibold whitespace-nowrap ${toneClass[STATUS_TONE[status]]}`}
    >
      {STATUS_LABEL[status]}
    </span>
  );
}

/**
 * A modal dialog on the native <dialog> (focus trap, Escape, backdrop). Open while `open`.
 */
export function Modal({
  open,
  onClose,
  title,
  children,
  testId,
}: {
  open: boolean;
  onClose: () => void;
  title: string;
  children: ReactNode;
  testId?: string;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      data-testid={testId}
      aria-labelledby={testId ? `${testId}-title` : undefined}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      className="m-auto w-[calc(100%-2rem)] max-w-lg rounded-xl p-0 shadow-xl backdrop:bg-slate-900/50"
    >
      {open && (
        <div className="max-h-[85dvh] overflow-y-auto p-5">
          <h2 id={testId ? `${testId}-title` : undefined} className="mb-3 text-lg font-semibold">
            {title}
          </h2>
          {children}
        </div>
      )}
    </dialog>
  );
}

/** A row of radio-like buttons (role=radiogroup) for small enums. */
export function Segmented<T extends string>({
  label,
  value,
  options,
  onChange,
  testId,
  disabled,
}: {
  label: string;
  value: T;
  options: ReadonlyArray<{ value: T; label: string; tone?: 'buy' | 'sell'; disabled?: boolean; title?: string }>;
  onChange: (v: T) => void;
  testId?: string;
  disabled?: boolean;
}) {
  return (
    <div role="radiogroup" aria-label={label} data-testid={testId} className="flex flex-wrap gap-1 rounded-lg bg-slate-100 p-1">
      {options.map((o) => {
        const active = o.value === value;
        const activeClass =
          o.tone === 'buy'
            ? 'bg-emerald-700 text-white'
            : o.tone === 'sell'
              ? 'bg-red-700 text-white'
              : 'bg-white text-slate-900 shadow-sm';
        return (
          <button
            key={o.value}
            type="button"
            role="radio"
            aria-checked={active}
            disabled={disabled || o.disabled}
            title={o.title}
            data-value={o.value}
            onClick={() => onChange(o.value)}
            className={`inline-flex min-h-11 min-w-11 flex-1 items-center justify-center rounded-md px-3 text-sm font-medium whitespace-nowrap disabled:opacity-50 ${
              active ? activeClass : 'text-slate-600 hover:bg-white/60'
            }`}
          >
            {o.label}
          </button>
        );
      })}
    </div>
  );
}

export function FieldError({ id, message }: { id?: string; message?: string }) {
  if (!message) return null;
  return (
    <p id={id} className="mt-1 text-sm text-red-700">
      {message}
    </p>
  );
}

/** One coloured part of a ProgressBar: how many of `max`, its colour class, and its words. */
export interface ProgressPart {
  key: string;
  value: number;
  /** Background colour class, e.g. bg-emerald-600. */
  colour: string;
  label: string;
}

/**
 * A thin progress bar with an accessible value. With `parts`, each outcome fills its own share in its own colour
 * (filled green, refused red, failed amber …) and the rest stays grey: the bar is never green for what did not fill.
 */
export function ProgressBar({
  value,
  max,
  parts,
  testId,
}: {
  value: number;
  max: number;
  parts?: readonly ProgressPart[];
  testId?: string;
}) {
  const pct = (n: number) => (max > 0 ? Math.min(100, (n / max) * 100) : 0);
  const shown = parts ?? [{ key: 'done', value, colour: 'bg-emerald-600', label: 'done' }];
  return (
    <div
      role="progressbar"
      aria-valuemin={0}
      aria-valuemax={max}
      aria-valuenow={value}
      aria-valuetext={parts ? parts.filter((p) => p.value > 0).map((p) => `${p.value} ${p.label}`).join(', ') || undefined : undefined}
      data-testid={testId}
      className="flex h-2 w-full overflow-hidden rounded-full bg-slate-200"
    >
      {shown
        .filter((p) => p.value > 0)
        .map((p) => (
          <div
            key={p.key}
            data-part={p.key}
            title={`${p.value} ${p.label}`}
            className={`h-full transition-[width] ${p.colour}`}
            style={{ width: `${pct(p.value)}%` }}
          />
        ))}
    </div>
  );
}

/** Previous / next over a paginated list ({items,total,limit,offset}). */
export function Pager({
  offset,
  limit,
  total,
  onOffset,
}: {
  offset: number;
  limit: number;
  total: number;
  onOffset: (offset: number) => void;
}) {
  if (total <= limit && offset === 0) return null;
  const from = total === 0 ? 0 : offset + 1;
  const to = Math.min(offset + limit, total);
  return (
    <div className="mt-3 flex flex-wrap items-center justify-between gap-2 text-sm" data-testid="pager">
      <span className="text-slate-600">
        {from}–{to} of {total}
      </span>
      <div className="flex gap-2">
        <Button variant="secondary" disabled={offset === 0} onClick={() => onOffset(Math.max(0, offset - limit))}>
          Previous
        </Button>
        <Button variant="secondary" disabled={offset + limit >= total} onClick={() => onOffset(offset + limit)}>
          Next
        </Button>
      </div>
    </div>
  );
}

/**
 * A checkbox whose tap target is 44×44 px (the real, transparent input) around a 20 px box.
 */
export function Checkbox({
  checked,
  onChange,
  label,
  testId,
  disabled,
}: {
  checked: boolean;
  onChange: (checked: boolean) => void;
  /** Accessible name. */
  label: string;
  testId?: string;
  disabled?: boolean;
}) {
  return (
    <span className="relative inline-flex size-11 shrink-0 items-center justify-center">
      <input
        type="checkbox"
        aria-label={label}
        data-testid={testId}
        checked={checked}
        disabled={disabled}
        onChange={(e) => onChange(e.target.checked)}
        className="peer absolute inset-0 m-0 size-11 cursor-pointer opacity-0 disabled:cursor-not-allowed"
      />
      <span
        aria-hidden
        className="pointer-events-none size-5 rounded border-2 border-slate-400 bg-white peer-checked:border-slate-900 peer-checked:bg-slate-900 peer-focus-visible:ring-2 peer-focus-visible:ring-slate-900/40 peer-disabled:opacity-50"
      />
      <svg
        aria-hidden
        viewBox="0 0 16 16"
        className="pointer-events-none absolute hidden size-3.5 text-white peer-checked:block"
        fill="none"
        stroke="currentColor"
        strokeWidth="2.5"
      >
        <path d="M3 8.5l3.2 3L13 4.5" />
      </svg>
    </span>
  );
}
