'use client';

import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';

import { useApiData } from '@/hooks/useApi';
import { call, client } from '@/lib/api';
import type { Instrument, Order } from '@/lib/api-types';
import { errorText } from '@/lib/errors';
import { orderSide } from '@/lib/order-book';
import { isOpen, needsPrice, needsTrigger } from '@/lib/orders';
import { modifyOrderSchema, toModifyRequest, type ModifyOrderValues } from '@/lib/validation';
import { money, qty } from '@/lib/format';

import { Field, FormActions } from './form/Field';
import { Button, ErrorAlert, inputClass, Loading, Modal } from './ui';

/** Compact on a desktop row (the book's rows are ~36 px); 44 px tap targets on the phone. */
const ROW_BUTTON = 'md:min-h-8 md:px-3';

/** Cancel / Modify buttons for an open order (OPEN or PARTIALLY_FILLED). */
export function OrderActions({ order, onChanged }: { order: Order; onChanged: (order: Order) => void }) {
  const [confirmCancel, setConfirmCancel] = useState(false);
  const [modifying, setModifying] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  if (!isOpen(order.status)) return null;

  const cancel = async () => {
    setBusy(true);
    setError(null);
    try {
      onChanged(await call(client.POST('/api/v1/orders/{order_id}/cancel', { params: { path: { order_id: order.id } } })));
      setConfirmCancel(false);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="flex flex-wrap gap-2">
      <Button variant="secondary" className={ROW_BUTTON} onClick={() => setModifying(true)} data-testid="order-modify">
        Modify
      </Button>
      <Button variant="secondary" className={ROW_BUTTON} onClick={() => setConfirmCancel(true)} data-testid="order-cancel">
        Cancel
      </Button>

      <Modal open={confirmCancel} onClose={() => !busy && setConfirmCancel(false)} title="Cancel order?">
        <p className="text-sm">
          {orderSide(order)} {qty(order.quantity - order.filled_quantity)} {order.symbol} for {order.client_name} (order #
          {order.id}). What has filled stays filled.
        </p>
        {error && (
          <div className="mt-3">
            <ErrorAlert error={error} />
          </div>
        )}
        <div className="mt-4 flex justify-end gap-2">
          <Button variant="secondary" onClick={() => setConfirmCancel(false)} disabled={busy}>
            Keep it
          </Button>
          <Button variant="danger" onClick={() => void cancel()} disabled={busy} data-testid="order-cancel-confirm">
            {busy ? 'Cancelling…' : 'Cancel order'}
          </Button>
        </div>
      </Modal>

      <Modal open={modifying} onClose={() => setModifying(false)} title={`Modify order #${order.id}`}>
        {modifying && (
          <ModifyOrder
            order={order}
            onDone={(o) => {
              onChanged(o);
              setModifying(false);
            }}
            onCancel={() => setModifying(false)}
          />
        )}
      </Modal>
    </div>
  );
}

function ModifyOrder({ order, onDone, onCancel }: { order: Order; onDone: (o: Order) => void; onCancel: () => void }) {
  const instrument = useApiData(`token:${order.token_id}`, (signal) =>
    call(client.GET('/api/v1/tokens/{token_id}', { params: { path: { token_id: order.token_id } }, signal })),
  );
  if (instrument.error) return <ErrorAlert error={errorText(instrument.error)} />;
  if (!instrument.data) return <Loading />;
  return <ModifyForm order={order} instrument={instrument.data} onDone={onDone} onCancel={onCancel} />;
}
function ModifyForm({
  order,
  instrument,
  onDone,
  onCancel,
}: {
  order: Order;
  instrument: Instrument;
  onDone: (o: Order) => void;
  onCancel: () => void;
}) {
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors, isSubmitting },
  } = useForm<ModifyOrderValues>({
    resolver: zodResolver(modifyOrderSchema(instrument, order.order_type)),
    defaultValues: {
      quantity: String(order.quantity),
      price: order.price ?? '',
      trigger_price: order.trigger_price ?? '',
    },
  });

  const onSubmit = handleSubmit(async (values) => {
    const body = toModifyRequest(order, order.order_type, values);
    if (Object.keys(body).length === 0) {
      setError('root.server', { message: 'Nothing changed.' });
      return;
    }
    try {
      onDone(await call(client.PATCH('/api/v1/orders/{order_id}', { params: { path: { order_id: order.id } }, body })));
    } catch (err) {
      setError('root.server', { message: errorText(err) });
    }
  });

  return (
    <form noValidate onSubmit={onSubmit} className="space-y-3">
      <p className="text-sm text-slate-600">
        {orderSide(order)} {order.symbol} · {order.order_type} · {order.client_name} · filled {qty(order.filled_quantity)}
        {order.price ? ` · now ${money(order.price)}` : ''}
      </p>
      {errors.root?.server && <ErrorAlert error={errors.root.server.message ?? 'Error'} />}
      <Field id="mod-qty" label={`Quantity (lot ${instrument.lot_size})`} error={errors.quantity?.message}>
        {(p) => <input {...p} inputMode="numeric" className={inputClass} {...register('quantity')} />}
      </Field>
      {needsPrice(order.order_type) && (
        <Field id="mod-price" label={`Limit price (tick ${instrument.tick_size})`} error={errors.price?.message}>
          {(p) => <input {...p} inputMode="decimal" className={inputClass} {...register('price')} />}
        </Field>
      )}
      {needsTrigger(order.order_type) && (
        <Field id="mod-trigger" label="Trigger price" error={errors.trigger_price?.message}>
          {(p) => <input {...p} inputMode="decimal" className={inputClass} {...register('trigger_price')} />}
        </Field>
      )}
      <FormActions submitting={isSubmitting} submitLabel="Modify order" onCancel={onCancel} cancelLabel="Back" />
    </form>
  );
}
