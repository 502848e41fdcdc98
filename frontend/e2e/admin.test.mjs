// The admin's trust screens against the real backend (demo data: admin@example.com, simulator clients):
// set a firm max order quantity and see it effective on a client's page; halt trading firm-wide with
// a reason (with the confirmation step); see the banner on the desk and Execute All blocked by the halt (its
// preview says why, nothing is sent); resume; find those actions in the audit log, verify the chain and export it as CSV.
// Runs at desktop and phone sizes; screenshots go to e2e/screenshots/. The suite runs its files one at
// a time (run.mjs), and `after` lifts the halt and the limit whatever happened, so the desk tests that
// follow can trade.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';

import {
  ADMIN,
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
const CLIENT_ID = 1;
const TIMEOUT = 15_000;
const CSV_HEADER = 'id,ts,actor_id,action,entity_type,entity_id,payload,prev_hash,hash';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await restoreTradingByApi();
});

/** Lifts any halt and clears the firm limits through the API (cleanup, also after a failure). */
async function restoreTradingByApi() {
  const login = await fetch(url('/api/v1/auth/login'), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(ADMIN),
  });
  if (!login.ok) throw new Error(`cleanup: admin login failed (${login.status})`);
  const { access_token: token } = await login.json();
  const headers = { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` };
  const status = await (await fetch(url('/api/v1/risk/status'), { headers })).json();
  for (const h of status.halts ?? []) {
    const body = h.scope === 'firm' ? { scope: 'firm' } : { scope: 'advisor', advisor_id: h.advisor_id };
    await fetch(url('/api/v1/risk/resume'), { method: 'POST', headers, body: JSON.stringify(body) });
  }
  for (const path of ['/api/v1/risk/limits', `/api/v1/clients/${CLIENT_ID}/risk-limits`]) {
    const answer = await (await fetch(url(path), { headers })).json();
    const own = answer.limits ?? answer; // a client's answer nests its own limits
    if (own.max_order_quantity != null || own.max_order_value != null) {
      await fetch(url(path), { method: 'PUT', headers, body: JSON.stringify({}) });
    }
  }
}

async function signInAsAdmin(page) {
  await signIn(page, ADMIN);
  await page.locator('[data-testid=shell-user][data-role=admin]').waitFor({ state: 'attached' });
}

async function auditActions(page) {
  return page.locator('[data-testid=audit-row]').evaluateAll((els) => els.map((e) => e.getAttribute('data-action')));
}

/** On a phone the audit filters fold away behind a button. */
async function openAuditFilters(page) {
  const action = page.getByTestId('audit-filter-action');
  if (!(await action.isVisible())) {
    await page.getByTestId('audit-section').getByRole('button', { name: /^Filters/ }).click();
    await action.waitFor();
  }
}

for (const [index, device] of VIEWPORTS.entries()) {
  describe(`admin (${device.name} ${device.viewport.width}×${device.viewport.height})`, () => {
    test('firm limit, halt with the banner and Execute All blocked, resume, audit log verified and exported', async () => {
      const { context, page, assertNoErrors } = await openPage(browser, device);
      const apiFailures = watchApi(page);
      const maxQty = String(2500 + index * 100); // differs per run, so the effective value is this run's
      const maxQtyShown = maxQty.replace(/^(\d)(\d{3})$/, '$1,$2'); // 2500 -> "2,500"
      const reason = `E2E drill ${device.name} ${Date.now()}`;
      try {
        await signInAsAdmin(page);
        await page.getByTestId('nav-admin').click();
        await page.waitForURL((u) => u.pathname === '/admin');

        // ── Firm-wide default: max order quantity ──
        const firm = page.getByTestId('firm-limits');
        await firm.waitFor({ timeout: TIMEOUT });
        const qtyInput = firm.getByTestId('limit-input-max_order_quantity');
        // The Zod check first: not a whole number.
        await qtyInput.fill('12.5');
        await page.getByTestId('firm-limits-save').click();
        await firm.getByText('A whole number, like 500').waitFor();
        await qtyInput.fill(maxQty);
        await page.getByTestId('firm-limits-save').click();
        await page.getByTestId('firm-limits-saved').waitFor({ timeout: TIMEOUT });
        assert.equal(await qtyInput.inputValue(), maxQty);
        await page.getByTestId('firm-limits-updated').waitFor();
        await page.locator('[data-testid=risk-status][data-halted=false]').waitFor({ timeout: TIMEOUT });
        await assertNoHorizontalScroll(page);
        await assertTapTargets(page);
        await screenshot(page, `${device.name}-9-admin`);

        // ── The limit is effective on a client's page (loaded as a deep link) ──
        await page.goto(url(`/clients/${CLIENT_ID}`));
        await page.getByTestId('client-detail').waitFor();
        await page.getByTestId('client-limits-toggle').click(); // the table is folded by default
        const qtyRow = page.locator('[data-testid=client-limit-row][data-limit=max_order_quantity]');
        await qtyRow.waitFor({ timeout: TIMEOUT });
        assert.match(await qtyRow.getByTestId('limit-firm').innerText(), new RegExp(maxQtyShown));
        assert.match(await qtyRow.getByTestId('limit-own').innerText(), /No limit/);
        const effective = qtyRow.getByTestId('limit-effective');
        assert.match(await effective.innerText(), new RegExp(`${maxQtyShown}[\\s\\S]*firm default`));
        assert.equal(await effective.getAttribute('data-source'), 'firm');
        await assertNoHorizontalScroll(page);
        await assertTapTargets(page);
        await screenshot(page, `${device.name}-10-client-limits`);

        // An admin sets the client's own, tighter limit: it becomes the effective one.
        await page.getByTestId('edit-client-limits').click();
        const clientForm = page.getByTestId('client-limits-form');
        await clientForm.waitFor();
        assert.match(await clientForm.innerText(), new RegExp(`Firm default: ${maxQtyShown}`));
        await clientForm.getByTestId('limit-input-max_order_value').fill('10.005');
        await page.getByTestId('client-limits-form-save').click();
        await clientForm.getByText('At most 2 decimals (paise)').waitFor();
        await clientForm.getByTestId('limit-input-max_order_value').fill('');
        await clientForm.getByTestId('limit-input-max_order_quantity').fill('50');
        await page.getByTestId('client-limits-form-save').click();
        await page.getByTestId('client-limits-dialog').waitFor({ state: 'hidden', timeout: TIMEOUT });
        await qtyRow.locator('[data-testid=limit-effective][data-source=client]').waitFor();
        assert.match(await qtyRow.getByTestId('limit-own').innerText(), /50/);
        assert.match(await effective.innerText(), /50[\s\S]*this client/);
        // And clears it again (blank: the firm default applies).
        await page.getByTestId('edit-client-limits').click();
        await clientForm.getByTestId('limit-input-max_order_quantity').fill('');
        await page.getByTestId('client-limits-form-save').click();
        await qtyRow.locator('[data-testid=limit-effective][data-source=firm]').waitFor({ timeout: TIMEOUT });

        // ── Halt firm-wide with a reason, after the confirmation ──
        await page.getByTestId('nav-admin').click();
        await page.waitForURL((u) => u.pathname === '/admin');
        await page.locator('[data-testid=risk-status][data-halted=false]').waitFor({ timeout: TIMEOUT });
        await page.locator('[data-testid=halt-scope] [data-value=firm][aria-checked=true]').waitFor();
        await page.getByTestId('halt-reason-input').fill(reason);
        await page.getByTestId('halt-cancel-open').check();
        await page.getByTestId('halt-submit').click();
        const confirm = page.getByTestId('halt-confirm-dialog');
        await confirm.waitFor();
        const summary = await page.getByTestId('halt-confirm-summary').innerText();
        assert.match(summary, /Firm-wide/);
        assert.ok(summary.includes(reason), `the confirmation repeats the reason: ${summary}`);
        await page.getByTestId('halt-confirm-cancel').waitFor();
        await screenshot(page, `${device.name}-11-halt-confirm`);
        await page.getByTestId('confirm-halt').click();
        await confirm.waitFor({ state: 'hidden', timeout: TIMEOUT }).catch(async (err) => {
          const shown = await page.getByTestId('halt-error').innerText().catch(() => '');
          throw new Error(`the halt did not go through: ${shown}\n${apiFailures.join('\n')}\n${err.message}`);
        });
        await page.locator('[data-testid=risk-status][data-halted=true]').waitFor();
        const haltRow = page.locator('[data-testid=halt-row][data-scope=firm]');
        assert.equal(await haltRow.getByTestId('halt-reason').innerText(), reason);
        assert.match(await page.getByTestId('halt-result').innerText(), /open orders? cancelled/);
        // The shell's banner knows at once (the halt's answer goes to the shared store).
        const banner = page.getByTestId('halt-banner');
        await banner.waitFor();
        assert.ok((await banner.innerText()).includes(reason));
        await assertNoHorizontalScroll(page);
        await assertTapTargets(page);
        await screenshot(page, `${device.name}-12-halted`);

        // ── The desk shows the banner and refuses an order with the halt ──
        await page.getByTestId('nav-desk').click();
        await page.waitForURL((u) => u.pathname === '/');
        await banner.waitFor();
        assert.match(await banner.innerText(), /Trading is halted firm-wide/);
        const search = page.getByTestId('token-search-input');
        await search.click();
        await search.pressSequentially('REL', { delay: 30 });
        await page.locator('[data-testid=token-search-results][data-query=REL][data-loading=false]').waitFor();
        await page.keyboard.press('ArrowDown');
        await page.keyboard.press('Enter');
        await page.locator(`[data-testid=selected-instrument][data-token-id="${RELIANCE}"]`).waitFor();
        await page.getByTestId('client-row').first().waitFor({ timeout: TIMEOUT });
        await page.waitForFunction(() => !document.querySelector('[data-testid=client-qty]')?.disabled);
        await page.getByTestId('client-qty').first().fill('1');
        const executeCalls = [];
        page.on('request', (r) => {
          if (r.method() === 'POST' && r.url().includes('/api/v1/orders/execute-all')) executeCalls.push(r.url());
        });
        // While halted, Execute All is disabled and says so (issue 18 defect 6): nothing can be sent.
        const halted = page.locator('[data-testid=execute-all][data-halted=true]');
        await halted.waitFor({ timeout: TIMEOUT });
        assert.equal(await halted.innerText(), 'Trading halted');
        assert.ok(await halted.isDisabled(), 'Execute All is disabled while halted');
        assert.deepEqual(executeCalls, [], 'nothing was sent while halted');
        await assertNoHorizontalScroll(page);
        await screenshot(page, `${device.name}-13-desk-halted`);

        // ── Resume; the banner goes away ──
        await page.getByTestId('nav-admin').click();
        await page.waitForURL((u) => u.pathname === '/admin');
        await page.locator('[data-testid=halt-row][data-scope=firm]').waitFor({ timeout: TIMEOUT });
        await page.getByTestId('resume-halt').click();
        await page.locator('[data-testid=risk-status][data-halted=false]').waitFor({ timeout: TIMEOUT });
        await banner.waitFor({ state: 'detached' });

        // ── The audit log lists those actions, newest first ──
        const audit = page.getByTestId('audit-section');
        await page.waitForFunction(
          () => document.querySelector('[data-testid=audit-row]')?.getAttribute('data-action') === 'risk.resume',
          undefined,
          { timeout: TIMEOUT },
        );
        const actions = await auditActions(page);
        const at = (action) => actions.indexOf(action);
        assert.ok(at('risk.halt') > at('risk.resume'), `halt before resume: ${actions.join(', ')}`);
        assert.ok(at('risk.limits.update') > at('risk.halt'), `limits before halt: ${actions.join(', ')}`);
        // A resume is good news: its badge is not amber like a warning (it was).
        const resumeBadge = audit.locator('[data-testid=audit-row][data-action="risk.resume"]').first().getByText('Trading resumed');
        const resumeColour = await resumeBadge.evaluate((el) => getComputedStyle(el).backgroundColor);
        const amber = await page.evaluate(() => {
          const probe = document.createElement('span');
          probe.className = 'bg-amber-100';
          document.body.append(probe);
          const colour = getComputedStyle(probe).backgroundColor;
          probe.remove();
          return colour;
        });
        assert.notEqual(resumeColour, amber, 'Trading resumed is not amber');
        const haltEvent = audit.locator('[data-testid=audit-row][data-action="risk.halt"]').first();
        assert.match(await haltEvent.getByTestId('audit-actor').innerText(), /Admin|admin/i);
        await haltEvent.locator('summary').click();
        assert.ok((await haltEvent.innerText()).includes(reason), 'the halt event carries the reason');

        // Filtered by action.
        await openAuditFilters(page);
        await page.getByTestId('audit-filter-action').selectOption('risk.halt');
        await page.waitForFunction(() => {
          const rows = [...document.querySelectorAll('[data-testid=audit-row]')];
          return rows.length > 0 && rows.every((r) => r.getAttribute('data-action') === 'risk.halt');
        });
        assert.ok((await auditActions(page)).length >= index + 1, 'one halt per run so far');

        // Days are typed and shown as dd/mm/yyyy (an en-US browser's date input would show mm/dd/yyyy).
        const from = page.getByTestId('audit-filter-from');
        assert.equal(await from.getAttribute('placeholder'), 'dd/mm/yyyy');
        const today = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Kolkata', day: '2-digit', month: '2-digit', year: 'numeric' }).format(new Date());
        await from.fill(today);
        const [d, m, y] = today.split('/');
        assert.equal(await from.getAttribute('data-day'), `${y}-${m}-${d}`);
        await page.waitForFunction(() => document.querySelectorAll('[data-testid=audit-row]').length > 0);
        await from.fill('');

        // Verify the chain.
        await page.getByTestId('audit-verify').click();
        const verified = page.getByTestId('audit-verify-result');
        await verified.waitFor({ timeout: TIMEOUT });
        assert.equal(await verified.getAttribute('data-ok'), 'true');
        assert.match(await verified.innerText(), /Chain intact: \d+ events checked/);

        // Export the filtered events as CSV (fetched with the bearer token, saved as a file).
        const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('audit-export').click()]);
        assert.match(download.suggestedFilename(), /^audit-risk\.halt-\d{4}-\d{2}-\d{2}\.csv$/);
        const csv = await readFile(await download.path(), 'utf8');
        const lines = csv.trim().split(/\r?\n/);
        assert.equal(lines[0], CSV_HEADER);
        assert.ok(lines.length >= 2, 'at least one event exported');
        assert.ok(lines.slice(1).every((l) => l.includes(',risk.halt,')), 'only the filtered action');
        assert.ok(csv.includes(reason), 'this run’s halt is in the export');
        await page.getByTestId('audit-section').getByRole('button', { name: 'Reset filters' }).click();
        await page.waitForFunction(
          () => document.querySelector('[data-testid=audit-row]')?.getAttribute('data-action') === 'risk.resume',
        );
        await assertNoHorizontalScroll(page);
        await assertTapTargets(page);
        await screenshot(page, `${device.name}-14-audit`);

        // ── Blank means no limit: clear it again, and the client's effective value follows ──
        await qtyInput.fill('');
        await page.getByTestId('firm-limits-save').click();
        await page.getByTestId('firm-limits-saved').waitFor({ timeout: TIMEOUT });
        await page.goto(url(`/clients/${CLIENT_ID}`));
        await page.getByTestId('client-limits-toggle').click();
        await page.locator('[data-testid=client-limit-row][data-limit=max_order_quantity] [data-testid=limit-effective][data-source=none]').waitFor({ timeout: TIMEOUT });

        assertNoErrors();
      } finally {
        await context.close();
      }
    });
  });
}

test('an advisor sees a client’s limits read-only', async () => {
  const { context, page, assertNoErrors } = await openPage(browser, VIEWPORTS[1]);
  try {
    await page.goto(url('/login'));
    await page.waitForFunction(() => !document.querySelector('button[type=submit]')?.disabled);
    await page.getByLabel('Email').fill(ADVISOR.email);
    await page.getByLabel('Password').fill(ADVISOR.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => u.pathname === '/');
    assert.equal(await page.getByTestId('nav-admin').count(), 0, 'no admin link for an advisor');
    await page.goto(url(`/clients/${CLIENT_ID}`));
    const card = page.getByTestId('client-limits');
    await card.getByTestId('client-limits-toggle').click();
    await card.locator('[data-testid=client-limit-row][data-limit=max_order_quantity]').waitFor({ timeout: TIMEOUT });
    assert.match(await card.innerText(), /Only an admin can change them/);
    assert.equal(await page.getByTestId('edit-client-limits').count(), 0);
    await assertNoHorizontalScroll(page);
    assertNoErrors();
  } finally {
    await context.close();
  }
});
