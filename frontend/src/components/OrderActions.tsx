'use client';

import { useEffect, useState } from 'react';
import { useForm } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';

import { api, ApiError } from '@/lib/api';
import type { Instrument, Order } from '@/lib/api-types';
import { isOpen, needsPrice, needsTrigger } from '@/lib/orders';
import { modifyOrderSchema, toModifyRequest, type ModifyOrderValues } from '@/lib/validation';
import { money, qty } from '@/lib/format';

import {
  Button,
  ErrorAlert,
  FieldError,
  inputClass,
  Loading,
  Modal,
} from './ui';

const message = (err: unknown) => (err instanceof ApiError ? err.message : 'Something went wrong. Please try again.');

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
      onChanged(await api.post<Order>(`/orders/${order.id}/cancel`));
      setConfirmCancel(false);
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="flex flex-wrap gap-2">
      <Button variant="secondary" onClick={() => setModifying(true)} data-testid="order-modify">
        Modify
      </Button>
      <Button variant="secondary" onClick={() => setConfirmCancel(true)} data-testid="order-cancel">
        Cancel
      </Button>

      <Modal open={confirmCancel} onClose={() => !busy && setConfirmCancel(false)} title="Cancel order?">
        <p className="text-sm">
          {order.side} {qty(order.quantity - order.filled_quantity)} {order.symbol} for {order.client_name} (order #
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
  const [instrument, setInstrument] = useState<Instrument | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    api
      .get<Instrument>(`/tokens/${order.token_id}`, { signal: controller.signal })
      .then(setInstrument)
      .catch((err: unknown) => {
        if (!controller.signal.aborted) setLoadError(message(err));
      });
    return () => controller.abort();
  }, [order.token_id]);
  if (loadError) return <ErrorAlert error={loadError} />;
  if (!instrument) return <Loading />;
  return <ModifyForm order={order} instrument={instrument} onDone={onDone} onCancel={onCancel} />;
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
      onDone(await api.patch<Order>(`/orders/${order.id}`, body));
    } catch (err) {
      setError('root.server', { message: message(err) });
    }
  });

  return (
    <form noValidate onSubmit={onSubmit} className="space-y-3">
      <p className="text-sm text-slate-600">
        {order.side} {order.symbol} · {order.order_type} · {order.client_name} · filled {qty(order.filled_quantity)}
        {order.price ? ` · now ${money(order.price)}` : ''}
      </p>
      {errors.root?.server && <ErrorAlert error={errors.root.server.message ?? 'Error'} />}
      <div>
        <label htmlFor="mod-qty" className="mb-1 block text-sm font-medium">
          Quantity (lot {instrument.lot_size})
        </label>
        <input id="mod-qty" inputMode="numeric" className={inputClass} {...register('quantity')} />
        <FieldError message={errors.quantity?.message} />
      </div>
      {needsPrice(order.order_type) && (
        <div>
          <label htmlFor="mod-price" className="mb-1 block text-sm font-medium">
            Limit price (tick {instrument.tick_size})
          </label>
          <input id="mod-price" inputMode="decimal" className={inputClass} {...register('price')} />
          <FieldError message={errors.price?.message} />
        </div>
      )}
      {needsTrigger(order.order_type) && (
        <div>
          <label htmlFor="mod-trigger" className="mb-1 block text-sm font-medium">
            Trigger price
          </label>
          <input id="mod-trigger" inputMode="decimal" className={inputClass} {...register('trigger_price')} />
          <FieldError message={errors.trigger_price?.message} />
        </div>
      )}
      <div className="flex justify-end gap-2">
        <Button variant="secondary" onClick={onCancel} disabled={isSubmitting}>
          Back
        </Button>
        <Button type="submit" disabled={isSubmitting}>
          {isSubmitting ? 'Saving…' : 'Modify order'}
        </Button>
      </div>
    </form>
  );
}
