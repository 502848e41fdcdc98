// The book across clients: after buying RELIANCE for two clients through the API, /book lists the token with
// those clients and the totals, sorts, and links to the token's exit page; at both viewports.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  ADVISOR,
  apiAs,
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

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

for (const device of VIEWPORTS) {
  describe(`book (${device.name} ${device.viewport.width}×${device.viewport.height})`, () => {
    test('shows the token bought for two clients, with its clients and the totals, and links to its exit', async () => {
      const call = await apiAs(ADVISOR);
      const clients = (await call('GET', '/clients')).items.filter((c) => c.is_active).slice(0, 2);
      assert.equal(clients.length, 2, 'the demo advisor has two clients');
      const { batch_id: batchId } = await call('POST', '/orders/execute-all', {
        token_id: RELIANCE,
        execution: 'BUY',
        order_type: 'MARKET',
        trade_type: 'INTRADAY',
        allocations: clients.map((c, i) => ({ client_id: c.id, quantity: 2 + i })),
      });
      const batch = await call('GET', `/batches/${batchId}?wait=true`);
      assert.deepEqual([...new Set(batch.rows.map((r) => r.status))], ['FILLED'], JSON.stringify(batch.rows));
      const book = await call('GET', '/book/positions');
      const reliance = book.tokens.find((t) => t.token_id === RELIANCE);
      assert.ok(reliance, 'the API book lists RELIANCE');
      const summary = await call('GET', '/book/summary');

      const { context, page, assertNoErrors } = await openPage(browser, device);
      const apiFailures = watchApi(page);
      try {
        await signIn(page, ADVISOR);
        await page.getByTestId('nav-book').first().click();
        await page.waitForURL((u) => u.pathname === '/book');
        const card = page.locator(`[data-testid=book-token][data-token-id="${RELIANCE}"]`);
        await card.waitFor();
        for (const c of clients) {
          await card.locator(`[data-testid=book-line][data-client-id="${c.id}"]`).first().waitFor();
        }
        assert.equal(
          (await card.getByTestId('book-token-net').innerText()).replace(/,/g, ''),
          String(reliance.net_quantity),
        );
        await page.getByTestId('book-totals').waitFor();
        assert.equal(
          await page.getByTestId('book-open-clients').innerText(),
          `${summary.clients_with_open_positions} of ${summary.clients}`,
        );
        assert.match(await page.getByTestId('book-pnl-today').innerText(), /\d/);
        assert.match(await page.getByTestId('book-exposure').innerText(), /\d/);

        await page.getByTestId('book-sort-net_value').click();
        assert.equal(await page.getByTestId('book-sort-net_value').getAttribute('aria-pressed'), 'true');
        await assertNoHorizontalScroll(page);
        await assertTapTargets(page);
        await screenshot(page, `${device.name}-book`);

        await card.getByTestId('book-exit-link').click();
        await page.waitForURL((u) => u.pathname === `/exit/${RELIANCE}`);
        await page.getByRole('heading', { name: /^Exit RELIANCE/ }).waitFor();
        assertNoErrors();
      } catch (err) {
        if (apiFailures.length) err.message += `\nAPI failures:\n${apiFailures.join('\n')}`;
        throw err;
      } finally {
        await context.close();
      }
    });
  });
}
