// Shared e2e harness: playwright-core driving the system's Chromium (Debian: apt-get install chromium).
// No browser downloads: never run `npx playwright install`.
//
//   E2E_BASE_URL=http://127.0.0.1:8000 npm run e2e      (node --test e2e/*.test.mjs)
//   E2E_BASE_URL=http://127.0.0.1:8000 node e2e/run.mjs (same thing)
//
// Environment:
//   E2E_BASE_URL   required: where the backend serves the built frontend (frontend/out) and /api/v1
//   E2E_CHROMIUM   Chromium binary (default /usr/bin/chromium)
//   E2E_EMAIL, E2E_PASSWORD   the advisor to sign in as (default advisor@example.com / advisor123)
//   E2E_ADMIN_EMAIL, E2E_ADMIN_PASSWORD   the admin (default admin@example.com / admin123)
//
// Files run one at a time (--test-concurrency=1): admin.test.mjs halts trading firm-wide and sets
// firm limits for a while, which would refuse the orders of a desk test running at the same time.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { chromium } from 'playwright-core';

const HERE = dirname(fileURLToPath(import.meta.url));

if (!process.env.E2E_BASE_URL) {
  throw new Error(
    'E2E_BASE_URL is required: the origin serving the built frontend and /api/v1, ' +
      'e.g. E2E_BASE_URL=http://127.0.0.1:8000 npm run e2e',
  );
}

export const BASE_URL = process.env.E2E_BASE_URL.replace(/\/+$/, '');
export const CHROMIUM_PATH = process.env.E2E_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = join(HERE, 'screenshots');
export const ADVISOR = {
  email: process.env.E2E_EMAIL ?? 'advisor@example.com',
  password: process.env.E2E_PASSWORD ?? 'advisor123',
};

export const ADMIN = {
  email: process.env.E2E_ADMIN_EMAIL ?? 'admin@example.com',
  password: process.env.E2E_ADMIN_PASSWORD ?? 'admin123',
};

export const VIEWPORTS = [
  { name: 'desktop', viewport: { width: 1280, height: 800 } },
  { name: 'mobile', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
];

export function url(path) {
  return new URL(path, `${BASE_URL}/`).toString();
}

export function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
    ],
  });
}

/**
 * A fresh context (empty storage, no cookies) whose page collects uncaught errors, console
 * errors and CSP violations; call `assertNoErrors()` at the end of a test.
 */
export async function openPage(browser, { viewport, isMobile = false, hasTouch = false, deviceScaleFactor = 1 }) {
  const context = await browser.newContext({ viewport, isMobile, hasTouch, deviceScaleFactor });
  // Every Content-Security-Policy violation (a blocked inline script, a refused connection) fails the test.
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    // A 401 from a deliberate wrong-password attempt is logged by Chromium as a failed load.
    // A refused or dropped Socket.IO websocket is logged by Chromium too; the app shows its
    // "reconnecting" banner and desk.test.mjs asserts the socket connects, separately.
    const text = msg.text();
    if (
      msg.type() === 'error' &&
      !text.startsWith('Failed to load resource') &&
      !/^WebSocket connection to '[^']*\/socket\.io\//.test(text)
    ) {
      errors.push(`console.error: ${text}`);
    }
  });
  return {
    context,
    page,
    assertNoErrors() {
      if (errors.length) throw new Error(`Errors in the page:\n${errors.join('\n')}`);
    },
  };
}

export async function screenshot(page, name) {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  // From the top, so sticky bars sit where a person first sees them.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Throws if the page scrolls sideways. */
export async function assertNoHorizontalScroll(page) {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  if (scrollWidth > innerWidth) {
    throw new Error(`Horizontal scroll at ${page.url()}: scrollWidth ${scrollWidth} > innerWidth ${innerWidth}`);
  }
}

/**
 * Throws if a visible button, link, input or select is smaller than 44×44 CSS px (height for inputs).
 * A touch rule: on a page without touch (the desktop viewport) it checks nothing, since a mouse-driven desk
 * is deliberately compact (~36 px grid rows).
 */
export async function assertTapTargets(page, min = 44) {
  if (!(await page.evaluate(() => navigator.maxTouchPoints > 0))) return;
  const small = await page.evaluate((min) => {
    const out = [];
    for (const el of document.querySelectorAll('button, a[href], input, select, textarea')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue; // hidden
      const isField = el.matches('input, select, textarea');
      if (r.height < min || (!isField && r.width < min)) {
        out.push(`${el.tagName.toLowerCase()} "${(el.textContent || el.getAttribute('name') || '').trim()}" ${Math.round(r.width)}×${Math.round(r.height)}`);
      }
    }
    return out;
  }, min);
  if (small.length) throw new Error(`Tap targets under ${min}px on ${page.url()}:\n${small.join('\n')}`);
}

// `node e2e/run.mjs`: run the suite.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const files = readdirSync(HERE).filter((f) => f.endsWith('.test.mjs')).map((f) => join(HERE, f));
  const result = spawnSync(process.execPath, ['--test', '--test-concurrency=1', ...files], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}

/** Signs `user` in through the login page and waits for the desk. */
/** An API caller signed in as `user`: `call(method, path, body)` answers the parsed JSON and fails the test on an error. */
export async function apiAs(user) {
  const login = await fetch(url('/api/v1/auth/login'), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(user),
  });
  assert.equal(login.status, 200, await login.clone().text());
  const { access_token: token } = await login.json();
  return async (method, path, body) => {
    const res = await fetch(url(`/api/v1${path}`), {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    assert.ok(res.status < 300, `${method} ${path} -> ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
}

export async function signIn(page, user) {
  await page.goto(url('/login'));
  await page.waitForFunction(() => !document.querySelector('button[type=submit]')?.disabled);
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => u.pathname === '/');
}

/** Collects the API calls the page makes that are refused, so a failure says what the server answered. */
export function watchApi(page) {
  const failures = [];
  page.on('response', async (res) => {
    const u = new URL(res.url());
    if (!u.pathname.startsWith('/api/') || res.status() < 400) return;
    let body = '';
    try {
      body = (await res.text()).slice(0, 300);
    } catch {
      /* navigation */
    }
    failures.push(`${res.request().method()} ${u.pathname}${u.search} -> ${res.status()} ${body}`);
  });
  return failures;
}
