import type { Metadata } from 'next';

import { ClientDetail } from '@/components/ClientDetail';
import { placeholderParams } from '@/lib/routes';

export const metadata: Metadata = { title: 'Client' };

// Prerendered once as out/clients/_.html; the backend serves it for any /clients/<id>.
export const dynamicParams = false;
export const generateStaticParams = () => placeholderParams('id');

export default function ClientPage() {
  return <ClientDetail />;
}
