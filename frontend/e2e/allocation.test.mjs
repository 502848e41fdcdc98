// Sizing a desk order by client group: a group of two demo clients (one with multiplier 2) is made through the
// API; on the desk the advisor picks it with "Fixed quantity" 5, the preview shows 10 and 5 per client, and
// Execute All sends exactly that; both rows fill. At desktop and phone sizes; screenshots in e2e/screenshots/.
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
        const statusOf = (id) => page.locator(`[data-testid=client-row][data-client-id="${id}"] [data-testid=client-row-status]`);
        const deadline = Date.now() + FLOW_TIMEOUT;
        let seen = [];
        while (Date.now() < deadline) {
          seen = [await statusOf(doubled.id).getAttribute('data-status'), await statusOf(single.id).getAttribute('data-status')];
          if (seen.every((s) => FINAL.has(s))) break;
          await page.waitForTimeout(250);
        }
        assert.deepEqual(seen, ['FILLED', 'FILLED'], `both members filled\n${apiFailures.join('\n')}`);
        const rowText = (id) => page.locator(`[data-testid=client-row][data-client-id="${id}"]`).innerText();
        assert.match(await rowText(doubled.id), /10\/10/);
        assert.match(await rowText(single.id), /5\/5/);
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
  });
}
