'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { useRouter } from 'next/navigation';
import { useEffect } from 'react';
import { useForm } from 'react-hook-form';

import { useAuthHydrated } from '@/hooks/useAuthHydrated';
import { ApiError } from '@/lib/api';
import { safeNextPath } from '@/lib/redirect';
import { loginSchema, type LoginValues } from '@/lib/validation';
import { useAuthStore } from '@/stores/auth';

import { Field } from './form/Field';
import { inputClass } from './ui';


function nextPath(): string {
  return safeNextPath(new URLSearchParams(window.location.search).get('next'));
}

export function LoginForm() {
  const router = useRouter();
  const hydrated = useAuthHydrated();
  const signedIn = useAuthStore((s) => s.accessToken !== null && s.user !== null);
  const login = useAuthStore((s) => s.login);

  const {
    register,
    handleSubmit,
    setError,
    formState: { errors, isSubmitting },
  } = useForm<LoginValues>({
    resolver: zodResolver(loginSchema),
    defaultValues: { email: '', password: '' },
  });

  // Already signed in (or just signed in): go where the user was heading.
  useEffect(() => {
    if (hydrated && signedIn) router.replace(nextPath());
  }, [hydrated, signedIn, router]);

  const onSubmit = handleSubmit(async ({ email, password }) => {
    try {
      await login(email, password);
    } catch (err) {
      const message =
        err instanceof ApiError ? err.message : 'Something went wrong. Please try again.';
      setError('root.server', { message });
    }
  });

  return (
    // method="post": should the form ever submit natively (before hydration the button is
    // disabled, but still), credentials must not end up in a URL.
    <form
      method="post"
      noValidate
      onSubmit={onSubmit}
      className="space-y-4 rounded-xl border border-slate-200 bg-white p-5 shadow-sm"
    >
      {errors.root?.server && (
        <p role="alert" className="rounded-lg bg-red-50 px-3 py-2 text-sm text-red-700">
          {errors.root.server.message}
        </p>
      )}

      <Field id="email" label="Email" error={errors.email?.message}>
        {(p) => (
          <input {...p} type="email" autoComplete="username" inputMode="email" className={inputClass} {...register('email')} />
        )}
      </Field>

      <Field id="password" label="Password" error={errors.password?.message}>
        {(p) => <input {...p} type="password" autoComplete="current-password" className={inputClass} {...register('password')} />}
      </Field>

      <button
        type="submit"
        disabled={isSubmitting || !hydrated}
        className="inline-flex min-h-11 w-full items-center justify-center rounded-lg bg-slate-900 px-4 font-medium text-white hover:bg-slate-700 disabled:opacity-60"
      >
        {isSubmitting ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
