import type { Metadata } from 'next';

import { BookView } from '@/components/BookView';
import { SquareOffSchedule } from '@/components/SquareOffSchedule';

export const metadata: Metadata = { title: 'Book' };

export default function BookPage() {
  return (
    <div className="space-y-3">
      <BookView />
      <SquareOffSchedule />
    </div>
  );
}
