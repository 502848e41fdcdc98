import type { Metadata } from 'next';

import { Desk } from '@/components/desk/Desk';

export const metadata: Metadata = { title: 'Desk' };

export default function DashboardPage() {
  return <Desk />;
}
