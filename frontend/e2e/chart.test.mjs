// The desk's price chart against the real backend (GET /market/bars, Socket.IO bars and
// prices frames): open RELIANCE by deep link, wait for the chart to load candles and draw them on
// its canvas, then for its last candle to move live; switch the interval. The chart's container
// exposes its state as data attributes (data-state, data-bar-count, data-last-close,
// data-last-start, data-updates). Runs at desktop and phone sizes; screenshots go to e2e/screenshots/.
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
// The simulator ticks every instrument it streams at least once a second; the candle follows.
const LIVE_TIMEOUT = 30_000;

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

async function chartState(page) {
  return page.getByTestId('price-chart').evaluate((el) => ({
    state: el.getAttribute('data-state'),
    interval: el.getAttribute('data-interval'),
    bars: Number(el.getAttribute('data-bar-count')),
    lastStart: el.getAttribute('data-last-start'),
    lastClose: el.getAttribute('data-last-close'),
    updates: Number(el.getAttribute('data-updates')),
  }));
}

for (const device of VIEWPORTS) {
  describe(`price chart (${device.name} ${device.viewport.width}×${device.viewport.height})`, () => {
    test('renders the selected token’s candles and its last candle moves live', async () => {
      const { context, page, assertNoErrors } = await openPage(browser, device);
      const apiFailures = watchApi(page);
      try {
        await signIn(page, ADVISOR);
        await page.goto(url(`/?token=${RELIANCE}`));
        await page.locator(`[data-testid=selected-instrument][data-token-id="${RELIANCE}"]`).waitFor();

        const chart = page.locator(`[data-testid=price-chart][data-token-id="${RELIANCE}"]`);
        await chart.waitFor();
        await page
          .locator('[data-testid=price-chart][data-state=ready]')
          .waitFor({ timeout: LIVE_TIMEOUT })
          .catch((err) => {
            throw new Error(`the candles did not load:\n${apiFailures.join('\n')}\n${err.message}`);
          });
        assert.equal((await chartState(page)).interval, '1m');

        // A fresh server may have no candle yet: the first tick or bars frame makes one.
        await page.waitForFunction(
          () => Number(document.querySelector('[data-testid=price-chart]')?.getAttribute('data-bar-count')) > 0,
          undefined,
          { timeout: LIVE_TIMEOUT },
        );
        assert.ok((await chart.locator('canvas').count()) > 0, 'lightweight-charts drew on a canvas');
        const box = await chart.locator('canvas').first().boundingBox();
        assert.ok(box && box.width > 200 && box.height > 150, `the chart has a usable size: ${JSON.stringify(box)}`);

        // Live: the last candle's close (or a new last candle) changes without a reload.
        const before = await chartState(page);
        await page.waitForFunction(
          ({ close, start }) => {
            const el = document.querySelector('[data-testid=price-chart]');
            return el && (el.getAttribute('data-last-close') !== close || el.getAttribute('data-last-start') !== start);
          },
          { close: before.lastClose, start: before.lastStart },
          { timeout: LIVE_TIMEOUT },
        );
        const moved = await chartState(page);
        assert.ok(moved.updates > before.updates, 'a live update moved it, not a reload');
        assert.ok(Number.isFinite(Number(moved.lastClose)) && Number(moved.lastClose) > 0);

        await assertNoHorizontalScroll(page);
        await assertTapTargets(page);
        await chart.scrollIntoViewIfNeeded();
        await screenshot(page, `${device.name}-8-chart`);

        // Another interval loads its own candles.
        await page.getByTestId('price-chart-interval').locator('[data-value="5m"]').click();
        await page.locator('[data-testid=price-chart][data-interval="5m"][data-state=ready]').waitFor({ timeout: LIVE_TIMEOUT });
        assert.equal(await page.getByTestId('price-chart-interval').locator('[data-value="5m"]').getAttribute('aria-checked'), 'true');
        await page.getByTestId('price-chart-interval').locator('[data-value="1m"]').click();
        await page.locator('[data-testid=price-chart][data-interval="1m"][data-state=ready]').waitFor({ timeout: LIVE_TIMEOUT });

        assert.deepEqual(
          apiFailures.filter((f) => f.includes('/market/bars')),
          [],
          'GET /market/bars answered every load',
        );
        assertNoErrors();
      } finally {
        await context.close();
      }
    });
  });
}
