import type { Metadata } from 'next';

import { OrdersBook } from '@/components/OrdersBook';

export const metadata: Metadata = { title: 'Orders' };

export default function OrdersPage() {
  return <OrdersBook />;
}
