'use client';

import { useAuthStore } from '@/stores/auth';

export function DashboardPlaceholder() {
  const user = useAuthStore((s) => s.user);
  if (!user) return null;

  return (
    <section className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
      <h1 className="text-xl font-semibold">Desk</h1>
      <p className="mt-2 break-words">
        Signed in as <strong>{user.full_name}</strong> ({user.role})
      </p>
      <p className="mt-1 text-slate-600">The trading desk arrives with the orders issue.</p>
    </section>
  );
}
