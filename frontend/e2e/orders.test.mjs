// The order book: an advisor's execute-all leaves two LIMIT buys open well below the market; /orders shows
// them together under their batch, today's time alone on one compact line; choosing the batch and
// "Cancel 2 orders" cancels both with an answer per order. Desktop and phone; screenshots of the book before
// and after into e2e/screenshots/.
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
  watchApi,
} from './run.mjs';

const RELIANCE = 2885;
const TIMEOUT = 15_000;

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** A whole-rupee limit about 5% under the last price: it rests at the broker instead of filling. */
async function restingBuyPrice(call) {
  const [quote] = await call('GET', `/market/quotes?token_ids=${RELIANCE}`);
  return String(Math.floor(Number(quote.ltp) * 0.95));
}

for (const device of VIEWPORTS) {
  describe(`order book (${device.name} ${device.viewport.width}×${device.viewport.height})`, () => {
    test('groups a batch, shows today by time on one line, and cancels the chosen orders one answer each', async () => {
      const call = await apiAs(ADVISOR);
      const clients = (await call('GET', '/clients')).items.filter((c) => c.is_active).slice(0, 2);
      assert.equal(clients.length, 2, 'the demo advisor has two clients');
      const { batch_id: batchId } = await call('POST', '/orders/execute-all', {
        token_id: RELIANCE,
        execution: 'BUY',
        order_type: 'LIMIT',
        price: await restingBuyPrice(call),
        trade_type: 'INTRADAY',
        allocations: clients.map((c) => ({ client_id: c.id, quantity: 1 })),
      });
      const batch = await call('GET', `/batches/${batchId}?wait=true`);
      assert.deepEqual([...new Set(batch.rows.map((r) => r.status))], ['OPEN'], JSON.stringify(batch.rows));
      const orderIds = batch.rows.map((r) => r.order_id).sort((a, b) => a - b);

      const { context, page, assertNoErrors } = await openPage(browser, device);
      try {
        await signIn(page, ADVISOR);
        // Watched from here: the login page's first "is there a session?" refresh answers 401 by design.
        const apiFailures = watchApi(page);
        await page.getByTestId('nav-orders').first().click();
        await page.waitForURL((u) => u.pathname === '/orders');
        const header = page.locator(`[data-testid=orders-batch][data-batch-id="${batchId}"]`);
        await header.waitFor({ timeout: TIMEOUT });
        assert.match(await header.innerText(), /2 orders · 2 open/);
        const rows = page.locator(`[data-testid=orders-row][data-batch-id="${batchId}"]`);
        assert.equal(await rows.count(), 2);
        await screenshot(page, `${device.name}-orders`);

        // Today's orders: the time alone, on one line.
        for (const time of await rows.getByTestId('orders-time').allInnerTexts()) {
          assert.match(time, /^\d{2}:\d{2}:\d{2}$/);
        }
        const timeBox = await rows.first().getByTestId('orders-time').boundingBox();
        assert.ok(timeBox && timeBox.height < 30, `the time sits on one line (${timeBox?.height}px)`);
        if (!device.isMobile) {
          // Compact rows on a desktop (~36 px, was ~65 px).
          const rowBox = await rows.first().boundingBox();
          assert.ok(rowBox && rowBox.height <= 40, `a row is ${rowBox?.height}px high`);
        } else {
          await assertTapTargets(page);
        }
        await assertNoHorizontalScroll(page);

        await header.getByTestId('orders-batch-select').check();
        await page.getByTestId('orders-cancel-selected').click();
        const dialog = page.getByTestId('orders-cancel-dialog');
        await dialog.waitFor();
        assert.equal(await dialog.getByTestId('orders-cancel-list').locator('li').count(), 2);
        await dialog.getByTestId('orders-cancel-confirm').click();
        const results = page.getByTestId('orders-cancel-results');
        await results.waitFor({ timeout: TIMEOUT });
        assert.match(await results.innerText(), /2 of 2 cancelled/);
        const answered = await results
          .getByTestId('orders-cancel-result')
          .evaluateAll((els) => els.map((e) => [Number(e.getAttribute('data-order-id')), e.getAttribute('data-ok')]));
        assert.deepEqual(answered.sort((a, b) => a[0] - b[0]), orderIds.map((id) => [id, 'true']));
        for (const id of orderIds) {
          await page.locator(`[data-testid=orders-row][data-order-id="${id}"][data-status=CANCELLED]`).waitFor({ timeout: TIMEOUT });
        }
        await assertNoHorizontalScroll(page);
        if (device.isMobile) await assertTapTargets(page);
        await screenshot(page, `${device.name}-orders-cancelled`);

        for (const id of orderIds) {
          assert.equal((await call('GET', `/orders/${id}`)).status, 'CANCELLED');
        }
        assert.deepEqual(apiFailures, []);
        assertNoErrors();
      } finally {
        await context.close();
      }
    });
  });
}
