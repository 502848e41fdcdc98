'use client';

import type { ReactNode } from 'react';
import type { FieldErrors, UseFormRegister } from 'react-hook-form';

import type { Instrument, OrderType, TradeType } from '@/lib/api-types';
import { needsPrice, needsTrigger, ORDER_TYPES, TRADE_TYPES } from '@/lib/orders';
import type { TicketWarning } from '@/lib/ticket-checks';
import type { OrderFormValues } from '@/lib/validation';

import { Card, FieldError, inputClass, Segmented } from '../ui';

export type ExecutionChoice = 'BUY' | 'SELL' | 'EXIT';

const EXECUTIONS = [
  { value: 'BUY', label: 'Buy', tone: 'buy' },
  { value: 'SELL', label: 'Sell', tone: 'sell' },
  { value: 'EXIT', label: 'Exit' },
] as const;

/**
 * The ticket's terms: execution, trade type, order type and the prices the order type uses, with the
 * ticket's warnings under the price they are about (a limit far from the last price, beyond the band).
 * Refusals (a wrong-side SL trigger, a price off the tick) come as field errors from the form.
 */
export function TicketTerms({
  instrument,
  disabled,
  canTrade,
  execution,
  tradeType,
  orderType,
  register,
  errors,
  warnings,
  onExecution,
  onTradeType,
  onOrderType,
  children,
}: {
  instrument: Instrument | null;
  disabled: boolean;
  canTrade: boolean;
  execution: 'BUY' | 'SELL';
  tradeType: TradeType;
  orderType: OrderType;
  register: UseFormRegister<OrderFormValues>;
  errors: FieldErrors<OrderFormValues>;
  warnings: readonly TicketWarning[];
  onExecution: (v: ExecutionChoice) => void;
  onTradeType: (v: TradeType) => void;
  onOrderType: (v: OrderType) => void;
  /** More terms below the prices (the AMO choice while the market is closed). */
  children?: ReactNode;
}) {
  const priceField = (name: 'price' | 'trigger_price', label: string, id: string, testId: string) => {
    const error = errors[name]?.message;
    const warned = warnings.filter((w) => w.field === name);
    return (
      <div>
        <label htmlFor={id} className="mb-1 block text-sm font-medium">
          {label}
        </label>
        <input
          id={id}
          data-testid={testId}
          inputMode="decimal"
          autoComplete="off"
          placeholder={instrument ? `tick ${instrument.tick_size}` : ''}
          aria-invalid={error ? true : undefined}
          aria-describedby={error || warned.length ? `${id}-note` : undefined}
          className={inputClass}
          {...register(name)}
        />
        <div id={`${id}-note`}>
          <FieldError message={error} />
          {!error &&
            warned.map((w) => (
              <p key={w.code} className="mt-1 text-sm text-amber-800" data-testid="ticket-warning" data-code={w.code}>
                {w.message}
              </p>
            ))}
        </div>
      </div>
    );
  };

  return (
    <Card>
      <fieldset disabled={disabled} className="min-w-0 space-y-3">
        <legend className="sr-only">Order</legend>
        <div className="flex flex-wrap gap-x-4 gap-y-3">
          <div>
            <span className="mb-1 block text-sm font-medium">Execution</span>
            <Segmented<ExecutionChoice>
              label="Execution"
              testId="execution"
              value={execution}
              options={EXECUTIONS.map((e) =>
                e.value === 'EXIT'
                  ? { ...e, disabled: !instrument, title: 'Exit every client holding the chosen instrument' }
                  : e,
              )}
              onChange={onExecution}
            />
          </div>
          <div>
            <span className="mb-1 block text-sm font-medium">Trade type</span>
            <Segmented<TradeType> label="Trade type" testId="trade-type" value={tradeType} options={TRADE_TYPES} onChange={onTradeType} />
          </div>
          <div>
            <span className="mb-1 block text-sm font-medium">Order type</span>
            <Segmented<OrderType> label="Order type" testId="order-type" value={orderType} options={ORDER_TYPES} onChange={onOrderType} />
          </div>
        </div>
        {(needsPrice(orderType) || needsTrigger(orderType)) && (
          <div className="grid gap-3 sm:grid-cols-2">
            {needsPrice(orderType) && priceField('price', 'Limit price', 'order-price', 'order-price')}
            {needsTrigger(orderType) && priceField('trigger_price', 'Trigger price', 'order-trigger', 'order-trigger')}
          </div>
        )}
        {children}
        {!canTrade && <p className="text-sm text-slate-500">Read-only: viewers cannot place orders.</p>}
      </fieldset>
    </Card>
  );
}
