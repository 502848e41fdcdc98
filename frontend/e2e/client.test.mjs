// A client's page loaded as a deep link: portfolio, and "Test connection" logging in at its broker.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  ADVISOR,
  VIEWPORTS,
  assertNoHorizontalScroll,
  launchBrowser,
  openPage,
  screenshot,
  signIn,
  url,
} from './run.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

test('client detail loads directly and tests the broker connection', async () => {
  const { context, page, assertNoErrors } = await openPage(browser, VIEWPORTS[0]);
  await signIn(page, ADVISOR);

  await page.goto(url('/clients/1'));
  await page.getByTestId('client-detail').waitFor();
  await page.getByText('SIM0001').waitFor();
  await page.getByTestId('test-connection').click();
  const result = page.getByTestId('test-connection-result');
  await result.waitFor();
  assert.match(await result.textContent(), /^✓/);
  await assertNoHorizontalScroll(page);
  await screenshot(page, 'desktop-8-client');
  assertNoErrors();
  await context.close();
});
