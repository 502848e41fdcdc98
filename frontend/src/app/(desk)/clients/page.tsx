import type { Metadata } from 'next';

import { ClientsList } from '@/components/ClientsList';

export const metadata: Metadata = { title: 'Clients' };

export default function ClientsPage() {
  return <ClientsList />;
}
