import type { Metadata } from 'next';

import { DashboardPlaceholder } from '@/components/DashboardPlaceholder';

export const metadata: Metadata = { title: 'Desk' };

export default function DashboardPage() {
  return <DashboardPlaceholder />;
}
