import Link from 'next/link';

export default function NotFound() {
  return (
    <main className="mx-auto flex min-h-dvh max-w-md flex-col items-center justify-center gap-4 p-6 text-center">
      <h1 className="text-xl font-semibold">Page not found</h1>
      <p className="text-slate-600">That page does not exist in MultiDesk.</p>
      <Link
        href="/"
        className="inline-flex min-h-11 items-center rounded-lg bg-slate-900 px-5 font-medium text-white hover:bg-slate-700"
      >
        Go to the desk
      </Link>
    </main>
  );
}
