'use client';

import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';

import type { RiskLimits, RiskLimitsRequest } from '@/lib/api-types';
import { errorText, fieldErrorsFrom } from '@/lib/errors';
import {
  formatLimit,
  RISK_LIMIT_FIELDS,
  RISK_LIMIT_NAMES,
  riskLimitsFormSchema,
  riskLimitsToForm,
  toRiskLimitsRequest,
  type LimitKind,
  type RiskLimitsFormValues,
} from '@/lib/risk';

import { Field, FormActions } from './form/Field';
import { Button, ErrorAlert, inputClass } from './ui';

const INPUT_MODE: Record<LimitKind, 'numeric' | 'decimal' | 'text'> = {
  quantity: 'numeric',
  money: 'decimal',
  percent: 'decimal',
  tokens: 'text',
};

const UNIT: Partial<Record<LimitKind, string>> = { money: '₹', percent: '%' };

/**
 * Edits one scope's limits (firm default, or one client's own). Blank = no limit at this scope;
 * for a client, blank means the firm default applies. Saving replaces every limit of the scope.
 */
export function RiskLimitsForm({
  scope,
  initial,
  firmDefault,
  onSave,
  onCancel,
  testId,
}: {
  scope: 'firm' | 'client';
  initial: RiskLimits | undefined;
  /** For a client: the firm's values, shown under each field. */
  firmDefault?: RiskLimits;
  /** PUT the body; resolves with what the server stored, rejects with ApiError. */
  onSave: (body: RiskLimitsRequest) => Promise<RiskLimits>;
  onCancel?: () => void;
  testId: string;
}) {
  const {
    register,
    handleSubmit,
    reset,
    setError,
    formState: { errors, isSubmitting, isDirty },
  } = useForm<RiskLimitsFormValues>({
    resolver: zodResolver(riskLimitsFormSchema),
    defaultValues: riskLimitsToForm(initial),
  });
  // "Saved." until the next edit.
  const [saved, setSaved] = useState(false);

  const onSubmit = handleSubmit(async (values) => {
    setSaved(false);
    try {
      const stored = await onSave(toRiskLimitsRequest(values));
      reset(riskLimitsToForm(stored));
      setSaved(true);
    } catch (err) {
      const fields = fieldErrorsFrom(err, RISK_LIMIT_NAMES);
      for (const [name, message] of Object.entries(fields) as [keyof RiskLimitsFormValues, string][]) {
        setError(name, { message });
      }
      setError('root.server', { message: errorText(err) });
    }
  });

  const blankMeans = scope === 'firm' ? 'Blank: no limit.' : 'Blank: the firm default applies.';

  return (
    <form
      noValidate
      onSubmit={(e) => void onSubmit(e)}
      className="space-y-4"
      data-testid={testId}
    >
      <p className="text-sm text-slate-600">
        {blankMeans} An order that breaks a limit is refused with the limit’s code; exits are never blocked.
      </p>
      <div className="grid gap-4 sm:grid-cols-2">
        {RISK_LIMIT_FIELDS.map((field) => {
          const unit = UNIT[field.kind];
          return (
            <Field
              key={field.name}
              id={`${testId}-${field.name}`}
              className={field.kind === 'tokens' ? 'sm:col-span-2' : undefined}
              label={`${field.label}${unit ? ` (${unit})` : ''}`}
              error={errors[field.name]?.message}
              hint={
                <>
                  {field.hint}
                  {firmDefault && (
                    <>
                      {' '}
                      Firm default:{' '}
                      <span className="font-medium text-slate-700">{formatLimit(field.name, firmDefault[field.name])}</span>.
                    </>
                  )}
                </>
              }
            >
              {(p) => (
                <input
                  {...p}
                  inputMode={INPUT_MODE[field.kind]}
                  autoComplete="off"
                  placeholder={scope === 'firm' ? 'No limit' : 'Firm default'}
                  data-testid={`limit-input-${field.name}`}
                  className={inputClass}
                  {...register(field.name)}
                />
              )}
            </Field>
          );
        })}
      </div>
      {errors.root?.server && <ErrorAlert error={errors.root.server.message ?? 'Error'} testId={`${testId}-error`} />}
      {saved && !isDirty && (
        <p role="status" className="text-sm text-emerald-700" data-testid={`${testId}-saved`}>
          Saved.
        </p>
      )}
      <FormActions
        submitting={isSubmitting}
        submitLabel="Save limits"
        onCancel={onCancel}
        submitTestId={`${testId}-save`}
      >
        {!onCancel && (
          <Button variant="secondary" onClick={() => reset()} disabled={isSubmitting || !isDirty}>
            Undo changes
          </Button>
        )}
      </FormActions>
    </form>
  );
}
