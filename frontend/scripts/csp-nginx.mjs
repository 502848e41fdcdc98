// Prints the nginx `add_header Content-Security-Policy` line for a static export (infra/docker/nginx.conf includes it):
//
//   node scripts/csp-nginx.mjs out > csp.conf
//
// The policy allows no inline script but those in the export's HTML files, by sha256 (the union over all pages:
// nginx answers every page with one policy, and every one of these scripts is our own build's). The backend serves
// the same policy per page (backend/app/security/csp.py); keep the two directive lists the same.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = process.argv[2];
if (!root) {
  console.error('usage: node scripts/csp-nginx.mjs <export dir>');
  process.exit(2);
}

function htmlFiles(dir) {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return htmlFiles(path);
      return entry.name.endsWith('.html') ? [path] : [];
    });
}

// A script element's opening tag and its body, up to the first closing tag (where HTML ends a script as well).
const SCRIPT = /<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi;
const SRC = /\ssrc\s*=/i;

const hashes = new Set();
for (const file of htmlFiles(root)) {
  for (const [, attributes, body] of readFileSync(file, 'utf8').matchAll(SCRIPT)) {
    if (SRC.test(` ${attributes}`)) continue;
    hashes.add(`'sha256-${createHash('sha256').update(body, 'utf8').digest('base64')}'`);
  }
}
if (hashes.size === 0) console.error(`csp-nginx: no inline scripts in ${root}; is it a Next.js export?`);

const policy = [
  "default-src 'self'",
  `script-src ${["'self'", ...hashes].join(' ')}`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');
process.stdout.write(`add_header Content-Security-Policy "${policy}" always;\n`);
