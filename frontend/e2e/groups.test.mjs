// Client groups: an advisor makes a group of two clients (one with a multiplier), sees it listed, and deletes it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  ADVISOR,
  VIEWPORTS,
  assertNoHorizontalScroll,
  assertTapTargets,
  launchBrowser,
  openPage,
  screenshot,
  signIn,
  watchApi,
} from './run.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

for (const vp of VIEWPORTS) {
  test(`groups: create with two clients and a multiplier, listed, deleted (${vp.name})`, async () => {
    const { context, page, assertNoErrors } = await openPage(browser, vp);
    const failures = watchApi(page);
    await signIn(page, ADVISOR);

    await page.getByTestId('nav-groups').click();
    await page.waitForURL((u) => u.pathname === '/groups');
    await page.getByTestId('groups-list').waitFor({ state: 'attached' });

    // Names are unique per advisor; the run's other viewport (and earlier runs on this server) made their own.
    const name = `Model ${vp.name} ${Date.now()}`;
    await page.getByTestId('add-group').click();
    const form = page.getByTestId('group-form');
    await form.waitFor();
    await page.getByLabel('Name').fill(name);
    await page.getByTestId('group-member-1').check();
    await page.getByTestId('group-member-2').check();
    await page.getByTestId('group-multiplier-2').fill('0');
    await page.getByTestId('group-form-save').click();
    await form.getByText('Multiplier must be greater than 0').waitFor();
    await page.getByTestId('group-multiplier-2').fill('2.5');
    await assertTapTargets(page);
    await screenshot(page, `${vp.name}-groups-form`);
    await page.getByTestId('group-form-save').click();
    await form.waitFor({ state: 'detached' });

    const row = page.getByTestId('groups-list-row').filter({ hasText: name });
    await row.waitFor();
    const chips = await row.getByTestId('group-member').allTextContents();
    assert.equal(chips.length, 2);
    assert.ok(chips.some((c) => c.includes('×2.50')), `a member with multiplier 2.50 in ${chips.join(', ')}`);
    assert.ok(chips.some((c) => c.includes('×1')), `a member with multiplier 1 in ${chips.join(', ')}`);
    assert.match(await row.textContent(), /2 clients/);
    await assertNoHorizontalScroll(page);
    await screenshot(page, `${vp.name}-groups`);

    // Survives a reload: it came from the server, not only the page's memory.
    await page.reload();
    await row.waitFor();

    await row.getByTestId('delete-group').click();
    await page.getByTestId('confirm-delete-group').click();
    await row.waitFor({ state: 'detached' });

    // The zero multiplier was caught in the form: the server refused nothing about groups.
    assert.deepEqual(failures.filter((f) => f.includes('/groups')), []);
    assertNoErrors();
    await context.close();
  });
}
