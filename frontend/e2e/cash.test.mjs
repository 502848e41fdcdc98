// The client page's cash ledger: a deposit shows in the ledger with its running balance, a withdrawal above the
// cash is refused with the broker's reason, and the day's contract note downloads; at both sizes.
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

for (const vp of VIEWPORTS) {
  test(`cash ledger: deposit, refused withdrawal, contract note (${vp.name})`, async () => {
    const { context, page, assertNoErrors } = await openPage(browser, vp);
    await signIn(page, ADVISOR);
    await page.goto(url(vp.name === 'desktop' ? '/clients/1' : '/clients/2'));
    const card = page.getByTestId('cash-ledger');
    await card.getByTestId('ledger-row').first().waitFor();
    const before = await card.getByTestId('ledger-row').count();

    await card.getByTestId('cash-amount').fill('2500.50');
    await card.getByTestId('cash-note').fill(`e2e ${vp.name}`);
    await card.getByTestId('cash-submit').click();
    await card.getByText(/Deposited ₹2,500\.50/).waitFor();
    await card.getByText(`e2e ${vp.name}`).waitFor();
    assert.equal(await card.getByTestId('ledger-row').count(), before + 1);

    await card.getByRole('radio', { name: 'Withdraw' }).click();
    await card.getByTestId('cash-amount').fill('999999999');
    await card.getByTestId('cash-submit').click();
    const refused = card.getByTestId('cash-result');
    await refused.getByText(/INSUFFICIENT_CASH|available/).waitFor();
    assert.equal(await card.getByTestId('ledger-row').count(), before + 1);

    const [download] = await Promise.all([page.waitForEvent('download'), card.getByTestId('contract-note-csv').click()]);
    assert.match(download.suggestedFilename(), /^contract-note-\d+-\d{4}-\d{2}-\d{2}\.csv$/);

    await card.scrollIntoViewIfNeeded();
    await assertNoHorizontalScroll(page);
    await screenshot(page, `${vp.name}-cash-ledger`);
    assertNoErrors();
    await context.close();
  });
}
