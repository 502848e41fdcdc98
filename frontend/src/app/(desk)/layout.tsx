import type { ReactNode } from 'react';

import { AppShell } from '@/components/AppShell';
import { RequireAuth } from '@/components/RequireAuth';

/** Every page in the (desk) group needs a signed-in user and gets the app shell. */
export default function DeskLayout({ children }: { children: ReactNode }) {
  return (
    <RequireAuth>
      <AppShell>{children}</AppShell>
    </RequireAuth>
  );
}
