// The trading desk against the real backend (demo data: advisor@example.com owning 8 simulator
// clients with instant fills): search RELIANCE with the keyboard, execute for three clients,
// watch every row reach a final state; then open /exit/2885 directly and exit every holder.
// Runs at desktop and phone sizes; screenshots go to e2e/screenshots/.
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
  signIn,
  url,
  watchApi,
} from './run.mjs';

const RELIANCE = 2885;
const FINAL = new Set(['FILLED', 'CANCELLED', 'DENIED', 'REJECTED', 'SKIPPED']);
const FLOW_TIMEOUT = 30_000;

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

async function statuses(page, testId) {
  return page.locator(`[data-testid=${testId}]`).evaluateAll((els) => els.map((e) => e.getAttribute('data-status')));
}

async function waitAllFinal(page, testId, expected, apiFailures) {
  const deadline = Date.now() + FLOW_TIMEOUT;
  let last = [];
  while (Date.now() < deadline) {
    last = (await statuses(page, testId)).filter((s) => s !== 'NOT_SENT');
    if (last.length >= expected && last.every((s) => FINAL.has(s))) return last;
    await page.waitForTimeout(250);
  }
  throw new Error(
    `rows did not all reach a final state: ${JSON.stringify(last)}\nAPI failures:\n${apiFailures.join('\n')}`,
  );
}

for (const device of VIEWPORTS) {
  describe(`desk (${device.name} ${device.viewport.width}×${device.viewport.height})`, () => {
    test('search with the keyboard, execute all for three clients, exit every holder', async () => {
      const { context, page, assertNoErrors } = await openPage(browser, device);
      const apiFailures = watchApi(page);
      try {
        await signIn(page, ADVISOR);

        // Search "REL", ArrowDown, Enter picks RELIANCE.
        const search = page.getByTestId('token-search-input');
        await search.waitFor();
        await search.click();
        await search.pressSequentially('REL', { delay: 30 });
        await page.locator('[data-testid=token-search-results][data-query=REL][data-loading=false]').waitFor();
        const first = page.getByTestId('token-search-option').first();
        assert.equal(await first.getAttribute('data-symbol'), 'RELIANCE');
        await page.keyboard.press('ArrowDown');
        assert.equal(await first.getAttribute('aria-selected'), 'true');
        await page.keyboard.press('Enter');
        await page.locator(`[data-testid=selected-instrument][data-token-id="${RELIANCE}"]`).waitFor();
        assert.match(await page.getByTestId('live-price').innerText(), /RELIANCE/);

        // Quantities for three clients (market, buy, intraday: the defaults).
        const rows = page.getByTestId('client-row');
        await rows.first().waitFor();
        assert.ok((await rows.count()) >= 3, 'the demo advisor has at least three clients');
        const qtyInputs = page.getByTestId('client-qty');
        await page.waitForFunction(() => !document.querySelector('[data-testid=client-qty]')?.disabled);
        for (const [i, q] of [[0, '5'], [1, '10'], [2, '15']]) await qtyInputs.nth(i).fill(q);
        assert.match(await page.getByTestId('order-summary').innerText(), /^3 clients · 30 qty/);
        await assertNoHorizontalScroll(page);
        await assertTapTargets(page);
        await screenshot(page, `${device.name}-4-dashboard`);

        await page.getByTestId('execute-all').click();
        const dialog = page.getByTestId('confirm-dialog');
        await dialog.waitFor();
        assert.equal(await page.getByTestId('confirm-clients').innerText(), '3');
        assert.equal(await page.getByTestId('confirm-quantity').innerText(), '30');
        assert.match(await page.getByTestId('confirm-value').innerText(), /^₹[\d,]+\.\d\d$/);
        await page.getByTestId('confirm-execute').click();
        await dialog.waitFor({ state: 'hidden', timeout: FLOW_TIMEOUT }).catch(async (err) => {
          const shown = await page.getByTestId('execute-error').innerText().catch(() => '');
          throw new Error(`execute-all did not go through: ${shown}\n${apiFailures.join('\n')}\n${err.message}`);
        });

        const executed = await waitAllFinal(page, 'client-row-status', 3, apiFailures);
        assert.equal(executed.length, 3);
        assert.deepEqual(executed, ['FILLED', 'FILLED', 'FILLED'], 'the simulator fills market orders at once');
        await page.locator('[data-testid=batch-progress][data-complete=true]').waitFor();
        assert.equal(await page.getByTestId('batch-progress').getAttribute('data-resolved'), '3');
        await assertNoHorizontalScroll(page);
        await screenshot(page, `${device.name}-5-dashboard-executed`);

        // The exit page is a deep link: load it directly.
        await page.goto(url(`/exit/${RELIANCE}`));
        await page.getByTestId('exit-page').waitFor();
        const exitRows = page.getByTestId('exit-row');
        await exitRows.first().waitFor({ timeout: FLOW_TIMEOUT });
        const holders = await exitRows.count();
        assert.ok(holders >= 3, `at least the three clients hold RELIANCE (got ${holders})`);
        const checks = page.getByTestId('exit-row-check');
        assert.equal(await checks.count(), holders);
        for (let i = 0; i < holders; i++) assert.equal(await checks.nth(i).isChecked(), true, 'all selected by default');
        await assertNoHorizontalScroll(page);
        await assertTapTargets(page);
        await screenshot(page, `${device.name}-6-exit`);

        // And after a refresh it is still the exit page.
        await page.reload();
        await exitRows.first().waitFor({ timeout: FLOW_TIMEOUT });
        assert.equal(new URL(page.url()).pathname, `/exit/${RELIANCE}`);

        await page.getByTestId('exit-submit').click();
        await page.getByTestId('exit-confirm-dialog').waitFor();
        assert.equal(await page.getByTestId('exit-confirm-clients').innerText(), String(holders));
        await page.getByTestId('exit-confirm').click();
        await page.getByTestId('exit-confirm-dialog').waitFor({ state: 'hidden', timeout: FLOW_TIMEOUT }).catch(async (err) => {
          const shown = await page.getByTestId('exit-error').innerText().catch(() => '');
          throw new Error(`exit-by-token did not go through: ${shown}\n${apiFailures.join('\n')}\n${err.message}`);
        });
        const exited = await waitAllFinal(page, 'exit-row-status', holders, apiFailures);
        assert.ok(exited.every((s) => s === 'FILLED'), `every exit order filled: ${JSON.stringify(exited)}`);

        // Positions refresh to zero.
        await page.waitForFunction(
          () => {
            const cells = [...document.querySelectorAll('[data-testid=exit-row-position]')];
            return cells.length > 0 && cells.every((c) => c.getAttribute('data-quantity') === '0');
          },
          undefined,
          { timeout: FLOW_TIMEOUT },
        );
        await page.getByTestId('exit-all-closed').waitFor({ timeout: FLOW_TIMEOUT });
        await assertNoHorizontalScroll(page);
        await screenshot(page, `${device.name}-7-exit-done`);

        assertNoErrors();
      } finally {
        await context.close();
      }
    });

    test('realtime: the Socket.IO connection is accepted (no "reconnecting" banner)', async () => {
      const { context, page, assertNoErrors } = await openPage(browser, device);
      try {
        await signIn(page, ADVISOR);
        await page.goto(url(`/?token=${RELIANCE}`));
        await page.locator(`[data-testid=selected-instrument][data-token-id="${RELIANCE}"]`).waitFor();
        await page
          .locator('[data-realtime=connected]')
          .waitFor({ timeout: 15_000 })
          .catch(async () => {
            const state = await page.locator('[data-realtime]').getAttribute('data-realtime');
            const banner = await page.getByTestId('realtime-status').getAttribute('title').catch(() => null);
            throw new Error(`the socket did not connect at ${url('/socket.io')}: state ${state}, last error ${banner}`);
          });
        assert.equal(await page.getByTestId('realtime-status').count(), 0);
        assertNoErrors();
      } finally {
        await context.close();
      }
    });
  });
}
