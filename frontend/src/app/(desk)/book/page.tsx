import type { Metadata } from 'next';

import { BookView } from '@/components/BookView';

export const metadata: Metadata = { title: 'Book' };

export default function BookPage() {
  return <BookView />;
}
