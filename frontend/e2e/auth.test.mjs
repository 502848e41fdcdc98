// Sign-in flow against a running backend serving the built frontend (see run.mjs).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  ADVISOR,
  VIEWPORTS,
  assertNoHorizontalScroll,
  assertTapTargets,
  launchBrowser,
  openPage,
  screenshot,
  url,
} from './run.mjs';

/** The refresh cookies the browser holds for the app. */
async function refreshCookies(context) {
  return (await context.cookies(url('/api/v1/auth/refresh'))).filter((c) => c.name === 'multidesk_refresh');
}

async function assertNoTokenInReach(page, context) {
  const stored = await page.evaluate(() =>
    [localStorage, sessionStorage].flatMap((s) => Object.keys(s).map((k) => `${k}=${s.getItem(k)}`)).join('\n'),
  );
  // JWTs start with the base64 of '{"' (eyJ).
  assert.doesNotMatch(stored, /eyJ|refresh/i, `web storage holds a token:\n${stored}`);
  assert.doesNotMatch(await page.evaluate(() => document.cookie), /multidesk_refresh/);
  const cookies = await refreshCookies(context);
  assert.equal(cookies.length, 1);
  assert.deepEqual(
    { httpOnly: cookies[0].httpOnly, secure: cookies[0].secure, sameSite: cookies[0].sameSite, path: cookies[0].path },
    { httpOnly: true, secure: true, sameSite: 'Strict', path: '/api/v1/auth' },
  );
}

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

for (const device of VIEWPORTS) {
  describe(`sign in (${device.name} ${device.viewport.width}×${device.viewport.height})`, () => {
    test('redirects to /login, rejects a wrong password, signs in, survives a reload, logs out', async () => {
      const { context, page, assertNoErrors } = await openPage(browser, device);
      try {
        const first = await page.goto(url('/'));
        // The page runs under a policy that allows its own inline scripts by hash, no others.
        const scriptSrc = /script-src ([^;]*)/.exec(first.headers()['content-security-policy'] ?? '')?.[1] ?? '';
        assert.doesNotMatch(scriptSrc, /unsafe-inline/);
        assert.match(scriptSrc, /'sha256-/);
        await page.waitForURL((u) => u.pathname === '/login');
        const submit = page.getByRole('button', { name: 'Sign in' });
        await submit.waitFor();
        await page.waitForFunction(() => !document.querySelector('button[type=submit]')?.disabled);
        await assertNoHorizontalScroll(page);
        await assertTapTargets(page);

        // Client-side validation.
        await submit.click();
        await page.getByText('Email is required').waitFor();
        await page.getByText('Password is required').waitFor();

        // The API's own message for bad credentials.
        await page.getByLabel('Email').fill(ADVISOR.email);
        await page.getByLabel('Password').fill(`${ADVISOR.password}-wrong`);
        await submit.click();
        const alert = page.locator('form [role=alert]');
        await alert.waitFor();
        assert.match(await alert.innerText(), /\S/);
        await screenshot(page, `${device.name}-1-login-error`);

        await page.getByLabel('Password').fill(ADVISOR.password);
        await submit.click();
        await page.waitForURL((u) => u.pathname === '/');
        await page.getByRole('heading', { name: 'Desk' }).waitFor();
        await page.getByTestId('token-search-input').waitFor();
        assert.match(await page.locator('[data-testid=shell-user]').getAttribute('data-role'), /^(admin|advisor|viewer)$/);
        await page.getByTestId('client-row').first().waitFor();
        await assertNoHorizontalScroll(page);
        await assertTapTargets(page);
        await screenshot(page, `${device.name}-2-desk`);

        // No script can read the refresh token: it is in an HttpOnly cookie sent only to /api/v1/auth,
        // never in web storage.
        await assertNoTokenInReach(page, context);

        // The session survives a reload (through the refresh cookie), still with nothing in storage.
        await page.reload();
        await page.getByTestId('token-search-input').waitFor();
        await page.getByTestId('client-row').first().waitFor();
        assert.equal(new URL(page.url()).pathname, '/');
        await assertNoTokenInReach(page, context);

        await page.getByRole('button', { name: 'Log out' }).click();
        await page.waitForURL((u) => u.pathname === '/login');
        // Signing out clears the cookie (once POST /auth/logout answers): a reload does not sign back in.
        for (let i = 0; i < 100 && (await refreshCookies(context)).length; i++) await page.waitForTimeout(100);
        assert.deepEqual(await refreshCookies(context), []);
        await page.goto(url('/'));
        await page.waitForURL((u) => u.pathname === '/login');
        await screenshot(page, `${device.name}-3-logged-out`);

        assertNoErrors();
      } finally {
        await context.close();
      }
    });
  });
}
