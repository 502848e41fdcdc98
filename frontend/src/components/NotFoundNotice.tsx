import Link from 'next/link';

/**
 * The one message a page shows for something that does not exist (or is not the caller's: the API answers
 * 404 for both, so the message does not tell them apart), with the way back. Not a spinner, not an error
 * per section.
 */
export function NotFoundNotice({ title, children, backHref, backLabel }: {
  title: string;
  children?: React.ReactNode;
  backHref: string;
  backLabel: string;
}) {
  return (
    <div
      role="alert"
      data-testid="not-found"
      className="mx-auto mt-8 flex max-w-md flex-col items-center gap-3 rounded-xl border border-slate-200 bg-white p-6 text-center shadow-sm"
    >
      <h1 className="text-lg font-semibold">{title}</h1>
      {children && <p className="text-sm text-slate-600">{children}</p>}
      <Link
        href={backHref}
        className="inline-flex min-h-11 items-center rounded-lg bg-slate-900 px-5 text-sm font-medium text-white hover:bg-slate-700"
      >
        {backLabel}
      </Link>
    </div>
  );
}
