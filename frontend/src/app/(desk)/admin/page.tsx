import type { Metadata } from 'next';

import { AdminPanel } from '@/components/AdminPanel';
import { CalendarOverrides } from '@/components/market/CalendarOverrides';
import { RequireAuth } from '@/components/RequireAuth';

export const metadata: Metadata = { title: 'Admin' };

export default function AdminPage() {
  return (
    <RequireAuth roles={['admin']}>
      <AdminPanel />
      <CalendarOverrides />
    </RequireAuth>
  );
}
