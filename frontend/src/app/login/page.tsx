import type { Metadata } from 'next';

import { LoginForm } from '@/components/LoginForm';

export const metadata: Metadata = { title: 'Sign in' };

export default function LoginPage() {
  return (
    <main className="flex min-h-dvh items-center justify-center px-4 py-10">
      <div className="w-full max-w-sm">
        <h1 className="mb-1 text-center text-2xl font-semibold tracking-tight">MultiDesk</h1>
        <p className="mb-6 text-center text-sm text-slate-600">Sign in to your trading desk</p>
        <LoginForm />
      </div>
    </main>
  );
}
