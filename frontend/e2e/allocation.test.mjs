// Sizing a desk order by client group: a group of two demo clients (one with multiplier 2) is made through the
// API; on the desk the advisor picks it with "Fixed quantity" 5, the preview shows 10 and 5 per client, and
// Execute All sends exactly that; both rows fill and each says how it was sized. Then by ticked clients
// ("Selected clients", equal split), after an empty group's refusal shown beside the group field.
// At desktop and phone sizes; screenshots in e2e/screenshots/.
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
const FINAL = new Set(['FILLED', 'CANCELLED', 'DENIED', 'REJECTED', 'SKIPPED']);
const FLOW_TIMEOUT = 30_000;

/** Waits until every listed client's desk row has a final status; answers the statuses. */
async function finalStatuses(page, ids) {
  const statusOf = (id) => page.locator(`[data-testid=client-row][data-client-id="${id}"] [data-testid=client-row-status]`);
  const deadline = Date.now() + FLOW_TIMEOUT;
  let seen = [];
  while (Date.now() < deadline) {
    seen = await Promise.all(ids.map((id) => statusOf(id).getAttribute('data-status')));
    if (seen.every((s) => FINAL.has(s))) break;
    await page.waitForTimeout(250);
  }
  return seen;
}

const sizingOf = (page, id) =>
  page.locator(`[data-testid=client-row][data-client-id="${id}"] [data-testid=client-row-sizing]`).innerText();

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

for (const device of VIEWPORTS) {
  describe(`allocation (${device.name} ${device.viewport.width}×${device.viewport.height})`, () => {
    test('pick a group, fixed quantity 5: the preview shows 10 and 5, Execute All fills both', async () => {
      const call = await apiAs(ADVISOR);
      const [doubled, single] = (await call('GET', '/clients?limit=1000')).items.filter((c) => c.is_active).slice(0, 2);
      assert.ok(doubled && single, 'the demo advisor has two active clients');
      const name = `Alloc ${device.name} ${Date.now()}`;
      const group = await call('POST', '/groups', {
        name,
        members: [
          { client_id: doubled.id, multiplier: '2' },
          { client_id: single.id, multiplier: '1' },
        ],
      });

      const { context, page, assertNoErrors } = await openPage(browser, device);
      const apiFailures = watchApi(page);
      try {
        await signIn(page, ADVISOR);
        await page.goto(url(`/?token=${RELIANCE}`));
        await page.locator(`[data-testid=selected-instrument][data-token-id="${RELIANCE}"]`).waitFor();

        await page.getByTestId('allocation-mode').getByRole('radio', { name: 'Group' }).click();
        const groupSelect = page.getByTestId('allocation-group');
        await groupSelect.locator(`option[value="${group.id}"]`).waitFor({ state: 'attached' });
        await groupSelect.selectOption(String(group.id));
        await page.getByTestId('allocation-method').selectOption('fixed');
        await page.getByTestId('allocation-value').fill('5');

        // The grid marks the members and their multipliers instead of asking for quantities.
        const memberCell = (id) => page.locator(`[data-testid=client-row][data-client-id="${id}"] [data-testid=client-row-group]`);
        assert.equal(await memberCell(doubled.id).getAttribute('data-member'), 'true');
        assert.match(await memberCell(doubled.id).innerText(), /×2/);
        assert.equal(await memberCell(single.id).getAttribute('data-member'), 'true');
        assert.equal(await page.getByTestId('client-qty').count(), 0, 'no per-client inputs in group mode');
        assert.match(await page.getByTestId('order-summary').innerText(), new RegExp(`${name} · Fixed quantity 5`));
        await assertNoHorizontalScroll(page);
        await assertTapTargets(page);
        await screenshot(page, `${device.name}-allocation-picker`);

        await page.getByTestId('execute-all').click();
        const dialog = page.getByTestId('confirm-dialog');
        await dialog.waitFor();
        const previewRow = (id) => page.locator(`[data-testid=preview-row][data-client-id="${id}"]`);
        await previewRow(doubled.id).waitFor({ timeout: FLOW_TIMEOUT }).catch(async (err) => {
          const shown = await page.getByTestId('preview-error').innerText().catch(() => '');
          throw new Error(`no preview: ${shown}\n${apiFailures.join('\n')}\n${err.message}`);
        });
        assert.equal(await page.getByTestId('preview-row').count(), 2);
        assert.equal(await previewRow(doubled.id).getAttribute('data-quantity'), '10');
        assert.equal(await previewRow(single.id).getAttribute('data-quantity'), '5');
        assert.equal(await previewRow(doubled.id).getByTestId('preview-row-quantity').innerText(), '10');
        assert.equal(await page.getByTestId('confirm-clients').innerText(), '2');
        assert.equal(await page.getByTestId('confirm-quantity').innerText(), '15');
        assert.match(await page.getByTestId('confirm-value').innerText(), /^₹[\d,]+\.\d\d$/);
        assert.match(await page.getByTestId('confirm-charges').innerText(), /^₹[\d,]+\.\d\d$/);
        await assertNoHorizontalScroll(page);
        await screenshot(page, `${device.name}-allocation-preview`);

        await page.getByTestId('confirm-execute').click();
        await dialog.waitFor({ state: 'hidden', timeout: FLOW_TIMEOUT }).catch(async (err) => {
          const shown = await page.getByTestId('execute-error').innerText().catch(() => '');
          throw new Error(`execute-all did not go through: ${shown}\n${apiFailures.join('\n')}\n${err.message}`);
        });

        // The two members' rows complete with the previewed quantities; nobody else was sent anything.
        const seen = await finalStatuses(page, [doubled.id, single.id]);
        assert.deepEqual(seen, ['FILLED', 'FILLED'], `both members filled\n${apiFailures.join('\n')}`);
        const rowText = (id) => page.locator(`[data-testid=client-row][data-client-id="${id}"]`).innerText();
        assert.match(await rowText(doubled.id), /10\/10/);
        assert.match(await rowText(single.id), /5\/5/);
        // After execution each row still says how its quantity was sized, as the preview did.
        assert.match(await sizingOf(page, doubled.id), /^Fixed quantity: quantity 5 · ×2(\.0+)? = 10(\.0+)? → 10 · at ₹[\d,]+\.\d\d \(last price\)$/);
        assert.match(await sizingOf(page, single.id), /^Fixed quantity: quantity 5 · ×1(\.0+)? = 5(\.0+)? → 5 · /);
        await page.locator('[data-testid=batch-progress][data-complete=true]').waitFor({ timeout: FLOW_TIMEOUT });
        assert.equal(await page.getByTestId('batch-progress').getAttribute('data-resolved'), '2');
        await assertNoHorizontalScroll(page);
        await screenshot(page, `${device.name}-allocation-executed`);

        assertNoErrors();
      } finally {
        await context.close();
        await call('DELETE', `/groups/${group.id}`);
      }
    });

    test('an empty group is refused beside its field; ticked clients with equal split 10 get 5 each', async () => {
      const call = await apiAs(ADVISOR);
      const [first, second] = (await call('GET', '/clients?limit=1000')).items.filter((c) => c.is_active).slice(0, 2);
      assert.ok(first && second, 'the demo advisor has two active clients');
      const empty = await call('POST', '/groups', { name: `Empty ${device.name} ${Date.now()}` });

      const { context, page, assertNoErrors } = await openPage(browser, device);
      const apiFailures = watchApi(page);
      try {
        await signIn(page, ADVISOR);
        await page.goto(url(`/?token=${RELIANCE}`));
        await page.locator(`[data-testid=selected-instrument][data-token-id="${RELIANCE}"]`).waitFor();

        // The server's refusal of an empty group lands under the group field, and the dialog closes.
        await page.getByTestId('allocation-mode').getByRole('radio', { name: 'Group' }).click();
        const groupSelect = page.getByTestId('allocation-group');
        await groupSelect.locator(`option[value="${empty.id}"]`).waitFor({ state: 'attached' });
        await groupSelect.selectOption(String(empty.id));
        await page.getByTestId('allocation-value').fill('5');
        await page.getByTestId('execute-all').click();
        await page.locator('#allocation-group-error').waitFor({ timeout: FLOW_TIMEOUT });
        assert.match(await page.locator('#allocation-group-error').innerText(), /has no members/);
        assert.equal(await groupSelect.getAttribute('aria-invalid'), 'true');
        await page.getByTestId('confirm-dialog').waitFor({ state: 'hidden' });
        assert.ok(apiFailures.some((f) => /orders\/preview.*422/.test(f)), `the preview was refused\n${apiFailures.join('\n')}`);
        apiFailures.length = 0;

        // "Selected clients": tick two rows of the grid, equal split 10.
        await page.getByTestId('allocation-mode').getByRole('radio', { name: 'Selected clients' }).click();
        assert.equal(await page.locator('#allocation-group-error').count(), 0, 'a new mode clears the old refusal');
        const pick = (id) => page.locator(`[data-testid=client-row][data-client-id="${id}"] [data-testid=client-pick]`);
        await pick(first.id).check();
        await pick(second.id).check();
        assert.equal(await page.getByTestId('allocation-clients').getAttribute('data-count'), '2');
        assert.equal(await page.getByTestId('client-qty').count(), 0, 'no per-client inputs when clients are ticked');
        await page.getByTestId('allocation-method').selectOption('equal_split');
        await page.getByTestId('allocation-value').fill('10');
        assert.match(await page.getByTestId('order-summary').innerText(), /2 clients · Equal split 10/);
        await assertNoHorizontalScroll(page);
        await assertTapTargets(page);
        await screenshot(page, `${device.name}-allocation-clients`);

        await page.getByTestId('execute-all').click();
        const previewRow = (id) => page.locator(`[data-testid=preview-row][data-client-id="${id}"]`);
        await previewRow(first.id).waitFor({ timeout: FLOW_TIMEOUT }).catch(async (err) => {
          const shown = await page.getByTestId('preview-error').innerText().catch(() => '');
          throw new Error(`no preview: ${shown}\n${apiFailures.join('\n')}\n${err.message}`);
        });
        assert.equal(await page.getByTestId('preview-row').count(), 2);
        assert.equal(await previewRow(first.id).getAttribute('data-quantity'), '5');
        assert.equal(await previewRow(second.id).getAttribute('data-quantity'), '5');
        assert.equal(await page.getByTestId('confirm-quantity').innerText(), '10');
        await page.getByTestId('confirm-execute').click();
        await page.getByTestId('confirm-dialog').waitFor({ state: 'hidden', timeout: FLOW_TIMEOUT }).catch(async (err) => {
          const shown = await page.getByTestId('execute-error').innerText().catch(() => '');
          throw new Error(`execute-all did not go through: ${shown}\n${apiFailures.join('\n')}\n${err.message}`);
        });

        assert.deepEqual(await finalStatuses(page, [first.id, second.id]), ['FILLED', 'FILLED'], apiFailures.join('\n'));
        for (const id of [first.id, second.id]) {
          assert.match(await sizingOf(page, id), /^Equal split: total quantity 10, members 2 · ×1(\.0+)? = 5(\.0+)? → 5 · at ₹[\d,]+\.\d\d \(last price\)$/);
        }
        await page.locator('[data-testid=batch-progress][data-complete=true]').waitFor({ timeout: FLOW_TIMEOUT });
        assert.equal(await page.getByTestId('batch-progress').getAttribute('data-resolved'), '2');
        await assertNoHorizontalScroll(page);
        await screenshot(page, `${device.name}-allocation-clients-executed`);

        assertNoErrors();
      } finally {
        await context.close();
        await call('DELETE', `/groups/${empty.id}`);
      }
    });
  });
}
