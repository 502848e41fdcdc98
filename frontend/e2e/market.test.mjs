// Market context and batch results against the real backend (demo data: advisor@example.com owning simulator
// clients with starting cash). The desk beside the ticket: the last price flashes green/red as it ticks, the change
// reads like "+12.35 (+0.87%)" (never "-0.00%"), open/high/low/previous close come from the quotes endpoint. A batch
// in which nothing fills (1,00,000 shares for one client: more than its margin) shows no green in its progress bar,
// says "Rejected"/"Denied" with the row badge's word, and gives the reason as a sentence with rupees, not machine
// text. Signed amounts (P&L) never break between sign and number on any page at phone width.
// Runs at desktop and phone sizes; screenshots go to e2e/screenshots/.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  ADVISOR,
  VIEWPORTS,
  apiAs,
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
const LIVE_TIMEOUT = 30_000;
const FINAL = new Set(['FILLED', 'CANCELLED', 'DENIED', 'REJECTED', 'SKIPPED']);

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** Every signed amount on the page that spans more than one line box (its sign torn from its number). */
async function brokenSignedAmounts(page) {
  return page.locator('[data-signed]').evaluateAll((els) =>
    els
      .filter((el) => el.getClientRects().length > 0)
      .filter((el) => {
        const lines = new Set([...el.getClientRects()].map((r) => Math.round(r.top)));
        return lines.size > 1;
      })
      .map((el) => `"${el.textContent}" in "${el.parentElement?.textContent?.trim().slice(0, 60)}"`),
  );
}

for (const device of VIEWPORTS) {
  describe(`market context and batch results (${device.name} ${device.viewport.width}×${device.viewport.height})`, () => {
    test('the ticket shows the day’s figures and a last price that flashes as it ticks', async () => {
      const { context, page, assertNoErrors } = await openPage(browser, device);
      const apiFailures = watchApi(page);
      try {
        await signIn(page, ADVISOR);
        await page.goto(url(`/?token=${RELIANCE}`));
        await page.locator(`[data-testid=selected-instrument][data-token-id="${RELIANCE}"]`).waitFor();
        const details = page.getByTestId('quote-details');
        await details.waitFor();
        await page
          .waitForFunction(
            () => /₹/.test(document.querySelector('[data-testid=quote-details-prev-close]')?.textContent ?? ''),
            undefined,
            { timeout: LIVE_TIMEOUT },
          )
          .catch((err) => {
            throw new Error(`no previous close shown:\n${apiFailures.join('\n')}\n${err.message}`);
          });
        for (const cell of ['open', 'high', 'low', 'prev-close']) {
          assert.match(await page.getByTestId(`quote-details-${cell}`).innerText(), /^₹[\d,]+\.\d{2,4}$/, cell);
        }

        // The simulator moves the price about once a second: within a few ticks it flashes one way.
        await page.waitForFunction(
          () => /^(up|down)$/.test(document.querySelector('[data-testid=live-price-ltp]')?.getAttribute('data-flash') ?? ''),
          undefined,
          { timeout: LIVE_TIMEOUT },
        );
        const change = await page.getByTestId('live-price-change').innerText();
        assert.match(change, /^([+-][\d,]+\.\d{2}|0\.00) \(([+-]\d+\.\d{2}|0\.00)%\)$/, change);
        assert.doesNotMatch(change, /-0\.00%/);

        await assertNoHorizontalScroll(page);
        await assertTapTargets(page);
        await screenshot(page, `${device.name}-market-ticket`);
        assertNoErrors();
      } finally {
        await context.close();
      }
    });

    test('a batch where nothing fills: no green in the bar, the badge’s word, the reason as a sentence', async () => {
      const { context, page, assertNoErrors } = await openPage(browser, device);
      const apiFailures = watchApi(page);
      try {
        await signIn(page, ADVISOR);
        await page.goto(url(`/?token=${RELIANCE}`));
        await page.locator(`[data-testid=selected-instrument][data-token-id="${RELIANCE}"]`).waitFor();
        const qtyInputs = page.getByTestId('client-qty');
        await qtyInputs.first().waitFor();
        await page.waitForFunction(() => !document.querySelector('[data-testid=client-qty]')?.disabled);
        // Limit orders so the order value is known whatever the price does: ₹14 crore and more for any demo client.
        await page.getByTestId('order-type').locator('[data-value=LIMIT]').click();
        const ltp = (await page.getByTestId('live-price-ltp').innerText()).replace(/[₹,]/g, '');
        await page.getByTestId('order-price').fill(Number(ltp) > 0 ? ltp.replace(/\.\d+$/, '.00') : '1400.00');
        await qtyInputs.first().fill('100000');

        await page.getByTestId('execute-all').click();
        const dialog = page.getByTestId('confirm-dialog');
        await dialog.waitFor();
        await page.locator('[data-testid=confirm-execute]:not([disabled])').waitFor({ timeout: LIVE_TIMEOUT });
        await page.getByTestId('confirm-execute').click();
        await dialog.waitFor({ state: 'hidden', timeout: LIVE_TIMEOUT }).catch(async (err) => {
          const shown = await page.getByTestId('execute-error').innerText().catch(() => '');
          throw new Error(`execute-all did not go through: ${shown}\n${apiFailures.join('\n')}\n${err.message}`);
        });

        const badge = page.locator('[data-testid=client-row-status][data-status]:not([data-status=NOT_SENT])').first();
        await page.waitForFunction(
          (final) => {
            const el = document.querySelector('[data-testid=client-row-status]:not([data-status=NOT_SENT])');
            return el && final.includes(el.getAttribute('data-status'));
          },
          [...FINAL],
          { timeout: LIVE_TIMEOUT },
        );
        const status = await badge.getAttribute('data-status');
        assert.ok(status === 'REJECTED' || status === 'DENIED', `nothing filled: ${status}`);
        await page.locator('[data-testid=batch-progress][data-complete=true]').waitFor({ timeout: LIVE_TIMEOUT });

        const bar = page.getByTestId('batch-progress-bar');
        assert.equal(await bar.locator('[data-part=FILLED]').count(), 0, 'no filled part');
        assert.equal(await bar.locator('.bg-emerald-600').count(), 0, 'nothing green in the bar');
        const part = bar.locator(`[data-part=${status}]`);
        assert.match(await part.getAttribute('class'), /bg-red-600/);
        const word = await badge.innerText();
        assert.equal(await page.getByTestId(`batch-progress-${status.toLowerCase()}`).innerText(), `1 ${word}`);

        const reason = await page.getByTestId('client-row-reason').first().innerText();
        assert.doesNotMatch(reason, /\b[A-Z]+_[A-Z_]+\b/, `no machine code in "${reason}"`);
        assert.match(reason, /₹[\d,]+\.\d\d/, `amounts in rupees in "${reason}"`);

        await assertNoHorizontalScroll(page);
        await screenshot(page, `${device.name}-market-batch-nothing-filled`);
        assertNoErrors();
      } finally {
        await context.close();
      }
    });

    test('signed amounts never break between sign and number', async () => {
      // A position to show P&L for: one share of RELIANCE for the first client, bought through the API.
      const call = await apiAs(ADVISOR);
      const clients = await call('GET', '/clients?limit=1');
      const clientId = clients.items[0].id;
      await call('POST', '/orders/place', {
        client_id: clientId,
        token_id: RELIANCE,
        execution: 'BUY',
        quantity: 1,
        order_type: 'MARKET',
        trade_type: 'INTRADAY',
      });
      const { context, page, assertNoErrors } = await openPage(browser, device);
      try {
        await signIn(page, ADVISOR);
        for (const path of [`/exit/${RELIANCE}`, `/clients/${clientId}`, '/book', '/clients']) {
          await page.goto(url(path));
          await page.locator('[data-signed]').first().waitFor({ timeout: LIVE_TIMEOUT });
          // Let live prices arrive, which changes the amounts' widths.
          await page.waitForTimeout(1500);
          assert.deepEqual(await brokenSignedAmounts(page), [], `on ${path}`);
        }
        await screenshot(page, `${device.name}-market-signed-amounts`);
        assertNoErrors();
      } finally {
        await context.close();
      }
    });
  });
}
