import type { NextConfig } from 'next';
import { PHASE_DEVELOPMENT_SERVER } from 'next/constants';

/**
 * The production build is a static export (frontend/out) served by the FastAPI
 * backend on the same origin, so the app calls relative `/api/v1/...` URLs.
 *
 * `next dev` cannot combine `output: 'export'` with rewrites, so in the dev
 * phase only we drop the export and proxy `/api` and `/socket.io` to a running
 * backend (MULTIDESK_DEV_API_URL, default http://127.0.0.1:8000).
 */
export default function config(phase: string): NextConfig {
  const base: NextConfig = {
    trailingSlash: false,
    reactStrictMode: true,
    poweredByHeader: false,
    images: { unoptimized: true },
    // Do not let `next dev` write AGENTS.md into the repo.
    agentRules: false,
  };

  if (phase === PHASE_DEVELOPMENT_SERVER) {
    const backend = process.env.MULTIDESK_DEV_API_URL ?? 'http://127.0.0.1:8000';
    return {
      ...base,
      async rewrites() {
        return [
          { source: '/api/:path*', destination: `${backend}/api/:path*` },
          { source: '/socket.io/:path*', destination: `${backend}/socket.io/:path*` },
        ];
      },
    };
  }

  return { ...base, output: 'export' };
}
