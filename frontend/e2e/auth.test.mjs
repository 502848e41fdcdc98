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
        await page.goto(url('/'));
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

        // The session is persisted: a reload stays on the desk.
        await page.reload();
        await page.getByTestId('token-search-input').waitFor();
        assert.equal(new URL(page.url()).pathname, '/');

        await page.getByRole('button', { name: 'Log out' }).click();
        await page.waitForURL((u) => u.pathname === '/login');
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
