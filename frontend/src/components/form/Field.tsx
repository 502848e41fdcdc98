'use client';

import type { ReactNode } from 'react';

import { Button, FieldError } from '../ui';

/** What a field's control needs to be tied to its label, hint and error (spread onto the input). */
export interface FieldControlProps {
  id: string;
  'aria-invalid': true | undefined;
  'aria-describedby': string | undefined;
}

/**
 * One form field: label, the control, an optional hint and the error, wired together for screen
 * readers (the control gets aria-invalid and aria-describedby through the render prop).
 *
 *   <Field id="cf-name" label="Name" error={errors.name?.message}>
 *     {(p) => <input {...p} className={inputClass} {...register('name')} />}
 *   </Field>
 */
export function Field({
  id,
  label,
  hint,
  error,
  className,
  labelExtra,
  children,
}: {
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: string;
  className?: string;
  /** Shown at the label's right end (e.g. a "set / not set" badge). */
  labelExtra?: ReactNode;
  children: (control: FieldControlProps) => ReactNode;
}) {
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  const labelNode = (
    <label htmlFor={id} className="block text-sm font-medium">
      {label}
    </label>
  );
  return (
    <div className={className}>
      {labelExtra ? (
        <div className="mb-1 flex items-center justify-between gap-2">
          {labelNode}
          {labelExtra}
        </div>
      ) : (
        <div className="mb-1">{labelNode}</div>
      )}
      {children({ id, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy })}
      {hint && (
        <p id={hintId} className="mt-1 text-xs text-slate-500">
          {hint}
        </p>
      )}
      <FieldError id={errorId} message={error} />
    </div>
  );
}

/** A form's Cancel / Submit row (Submit says what is happening while the request runs). */
export function FormActions({
  submitting,
  submitLabel,
  submittingLabel = 'Saving…',
  onCancel,
  cancelLabel = 'Cancel',
  submitTestId,
  children,
}: {
  submitting: boolean;
  submitLabel: string;
  submittingLabel?: string;
  onCancel?: () => void;
  cancelLabel?: string;
  submitTestId?: string;
  /** Extra buttons before Submit (e.g. "Undo changes"). */
  children?: ReactNode;
}) {
  return (
    <div className="flex flex-wrap justify-end gap-2 pt-1">
      {onCancel && (
        <Button variant="secondary" onClick={onCancel} disabled={submitting}>
          {cancelLabel}
        </Button>
      )}
      {children}
      <Button type="submit" disabled={submitting} data-testid={submitTestId}>
        {submitting ? submittingLabel : submitLabel}
      </Button>
    </div>
  );
}
