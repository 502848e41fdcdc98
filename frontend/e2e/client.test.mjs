// The client pages with live numbers: /clients as a filterable grid and a client's page whose summary cards agree
// with its positions table while prices move, and whose margin used rises with an open order and drops when the
// order is cancelled (on the client page and in the list, without a reload); a closed position shows what it
// realised; /clients/999 is one not-found message; the phone gets a bottom tab bar instead of a tall header.
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
const TCS = 11536;
const TIMEOUT = 15_000;

/** "−₹1,234.50" / "+₹8.00" -> -1234.5 / 8 */
const amount = (text) => Number(text.replace(/[−–]/g, '-').replace(/[^\d.-]/g, ''));

let browser;
let call;
let clients;
before(async () => {
  browser = await launchBrowser();
  call = await apiAs(ADVISOR);
  clients = (await call('GET', '/clients')).items.filter((c) => c.is_active);
  assert.ok(clients.length >= 2, 'the demo advisor has two clients');
});
after(async () => {
  await browser?.close();
});

async function place(body) {
  return call('POST', '/orders/place', { order_type: 'MARKET', trade_type: 'INTRADAY', quantity: 1, ...body });
}

/** The summary card's text and the positions table's unrealised figures, read in one go. */
function readFigures(page) {
  return page.evaluate(() => ({
    card: document.querySelector('[data-testid=summary-unrealised] dd')?.textContent ?? '',
    rows: [...document.querySelectorAll('[data-testid=position-unrealised]')].map((e) => e.textContent ?? ''),
  }));
}

for (const device of VIEWPORTS) {
  describe(`client pages (${device.name} ${device.viewport.width}×${device.viewport.height})`, () => {
    test('live summary cards, margin that follows an order and its cancel, a closed position, the grid', async () => {
      const [first, second] = clients;
      // A position whose P&L moves with the price, and a closed one with what it realised.
      await place({ client_id: first.id, token_id: RELIANCE, execution: 'BUY' });
      await place({ client_id: second.id, token_id: TCS, execution: 'BUY' });
      await place({ client_id: second.id, token_id: TCS, execution: 'SELL' });

      const { context, page, assertNoErrors } = await openPage(browser, device);
      const apiFailures = watchApi(page);
      try {
        await signIn(page, ADVISOR);
        if (device.name === 'mobile') {
          // The header is one slim row; the navigation sits at the bottom of the screen.
          const header = await page.locator('header').boundingBox();
          assert.ok(header && header.height <= 56, `phone header is ${header?.height}px tall`);
          const nav = await page.getByTestId('main-nav').boundingBox();
          assert.ok(nav && Math.abs(nav.y + nav.height - device.viewport.height) <= 1, `tab bar at ${JSON.stringify(nav)}`);
        }

        // ── A client's page: every figure from the same live state as the tables ──
        await page.goto(url(`/clients/${first.id}`));
        await page.getByTestId('client-detail').waitFor();
        await page.getByTestId('position-row').first().waitFor({ timeout: TIMEOUT });
        for (let i = 0; i < 6; i += 1) {
          const { card, rows } = await readFigures(page);
          const sum = rows.reduce((s, r) => s + amount(r), 0);
          assert.ok(
            Math.abs(amount(card) - sum) <= 0.01 * rows.length + 1e-9,
            `the unrealised card ${card} disagrees with its rows ${rows.join(' + ')}`,
          );
          await page.waitForTimeout(700);
        }

        const used = page.getByTestId('summary-margin-used').locator('dd');
        const usedBefore = amount(await used.innerText());
        // A limit far below the market stays open and blocks its value (Delivery: the full value).
        const open = await place({
          client_id: first.id,
          token_id: RELIANCE,
          execution: 'BUY',
          order_type: 'LIMIT',
          trade_type: 'DELIVERY',
          price: '1300.00',
        });
        assert.equal(open.status, 'OPEN', JSON.stringify(open));
        await page.waitForFunction(
          (before) => {
            const t = document.querySelector('[data-testid=summary-margin-used] dd')?.textContent ?? '';
            return Number(t.replace(/[^\d.]/g, '')) >= before + 1300;
          },
          usedBefore,
          { timeout: TIMEOUT },
        );
        await screenshot(page, `${device.name}-client`);
        await assertNoHorizontalScroll(page);
        if (device.name === 'mobile') await assertTapTargets(page);

        await call('POST', `/orders/${open.id}/cancel`);
        await page.waitForFunction(
          (before) => {
            const t = document.querySelector('[data-testid=summary-margin-used] dd')?.textContent ?? '';
            return Math.abs(Number(t.replace(/[^\d.]/g, '')) - before) < 0.005;
          },
          usedBefore,
          { timeout: TIMEOUT },
        );

        // The risk limits are folded behind one line until asked for.
        const toggle = page.getByTestId('client-limits-toggle');
        assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
        assert.equal(await page.getByTestId('client-limit-row').count(), 0);
        await toggle.click();
        await page.getByTestId('client-limit-row').first().waitFor();

        // ── A closed position shows what it realised, not "Avg ₹0.00" ──
        await page.goto(url(`/clients/${second.id}`));
        const closed = page.locator('[data-testid=position-row][data-closed=true]').filter({ hasText: 'TCS' });
        await closed.waitFor({ timeout: TIMEOUT });
        assert.equal(await closed.getByTestId('position-qty').innerText(), 'Closed');
        assert.doesNotMatch(await closed.innerText(), /Avg/);
        await closed.getByTestId('position-realised').waitFor();

        // ── /clients: a filterable, sortable grid that follows order changes ──
        await page.goto(url('/clients'));
        const row = page.locator(`[data-testid=clients-list-row][data-client-id="${first.id}"]`);
        await row.waitFor({ timeout: TIMEOUT });
        const listUsed = row.getByTestId('client-margin-used');
        const listBefore = amount(await listUsed.innerText());
        const again = await place({
          client_id: first.id,
          token_id: RELIANCE,
          execution: 'BUY',
          order_type: 'LIMIT',
          trade_type: 'DELIVERY',
          price: '1300.00',
        });
        await page.waitForFunction(
          ([id, before]) => {
            const el = document.querySelector(`[data-testid=clients-list-row][data-client-id="${id}"] [data-testid=client-margin-used]`);
            return Number((el?.textContent ?? '').replace(/[^\d.]/g, '')) >= before + 1300;
          },
          [first.id, listBefore],
          { timeout: TIMEOUT },
        );
        await call('POST', `/orders/${again.id}/cancel`);
        await page.waitForFunction(
          ([id, before]) => {
            const el = document.querySelector(`[data-testid=clients-list-row][data-client-id="${id}"] [data-testid=client-margin-used]`);
            return Math.abs(Number((el?.textContent ?? '').replace(/[^\d.]/g, '')) - before) < 0.005;
          },
          [first.id, listBefore],
          { timeout: TIMEOUT },
        );
        await page.getByTestId('client-filter').fill(second.broker_client_id);
        await page.locator('[data-testid=clients-list-row]').first().waitFor();
        assert.deepEqual(
          await page.locator('[data-testid=clients-list-row]').evaluateAll((els) => els.map((e) => e.dataset.clientId)),
          [String(second.id)],
        );
        await page.getByTestId('client-filter').fill('');
        await assertNoHorizontalScroll(page);
        if (device.name === 'mobile') await assertTapTargets(page);
        await screenshot(page, `${device.name}-clients`);

        // ── A client that does not exist: one message, no spinner ──
        await page.goto(url('/clients/999'));
        await page.getByTestId('not-found').waitFor({ timeout: TIMEOUT });
        assert.equal(await page.locator('main [role=alert]').count(), 1, 'one message, not one per section');
        assert.equal(await page.getByText('Loading').count(), 0);
        await screenshot(page, `${device.name}-client-not-found`);
        assertNoErrors();
      } catch (err) {
        throw new Error(`${err.message}\n${apiFailures.join('\n')}`);
      } finally {
        await context.close();
      }
    });
  });
}

test('client detail loads directly and tests the broker connection', async () => {
  const { context, page, assertNoErrors } = await openPage(browser, VIEWPORTS[0]);
  await signIn(page, ADVISOR);
  await page.goto(url(`/clients/${clients[0].id}`));
  await page.getByTestId('client-detail').waitFor();
  await page.getByText(clients[0].broker_client_id).first().waitFor();
  await page.getByTestId('test-connection').click();
  const result = page.getByTestId('test-connection-result');
  await result.waitFor();
  assert.match(await result.textContent(), /^✓/);
  assertNoErrors();
  await context.close();
});
