import type { Metadata } from 'next';

import { ExitByToken } from '@/components/exit/ExitByToken';
import { placeholderParams } from '@/lib/routes';

export const metadata: Metadata = { title: 'Exit by token' };

// Prerendered once as out/exit/_.html; the backend serves it for any /exit/<tokenId>.
export const dynamicParams = false;
export const generateStaticParams = () => placeholderParams('tokenId');

export default function ExitPage() {
  return <ExitByToken />;
}
