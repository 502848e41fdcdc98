// The trading day in the browser, against a server of its own whose clock starts on Saturday 24 Jan 2026,
// 11:00 IST (MULTIDESK_SIM_CLOCK_START; Monday 26 is Republic Day) with the simulator following the exchange
// calendar (MULTIDESK_SIM_ALWAYS_OPEN=false): the header shows the market closed for the weekend with a countdown
// to Tuesday's open; an order without AMO is refused with MARKET_CLOSED before anything is sent; on the desk the
// AMO choice is offered and an AMO goes through as an OPEN order with amo true; the admin adds a special session
// and the header shows the market open. Runs at desktop and phone sizes; screenshots go to e2e/screenshots/.
//
// It starts and stops that server itself (backend/.venv, a fresh data dir, a free port), so it runs inside
// `npm run e2e` beside the suite's own server; the built frontend (npm run build) must be in frontend/out.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import {
  ADMIN,
  ADVISOR,
  VIEWPORTS,
  assertNoHorizontalScroll,
  assertTapTargets,
  launchBrowser,
  openPage,
  screenshot,
  watchApi,
} from './run.mjs';

const BACKEND = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'backend');
const CLOCK_START = '2026-01-24T11:00:00+05:30';
const RELIANCE = 2885;
const TIMEOUT = 30_000;

let server;
let dataDir;
let base;
let browser;
let serverLog = '';

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

async function startServer() {
  const port = Number(process.env.E2E_TRADING_DAY_PORT) || (await freePort());
  dataDir = await mkdtemp(join(tmpdir(), 'multidesk-trading-day-'));
  base = `http://127.0.0.1:${port}`;
  server = spawn(join(BACKEND, '.venv', 'bin', 'python'), ['-m', 'app.cli', 'serve'], {
    cwd: BACKEND,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      MULTIDESK_DATA_DIR: dataDir,
      MULTIDESK_SIM_CLOCK_START: CLOCK_START,
      MULTIDESK_SIM_ALWAYS_OPEN: 'false',
      MULTIDESK_RATE_LIMIT_LOGIN_EMAIL: '100/minute',
      MULTIDESK_RATE_LIMIT_LOGIN_IP: '300/minute',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [server.stdout, server.stderr]) {
    stream.on('data', (chunk) => {
      serverLog = (serverLog + chunk).slice(-20_000);
    });
  }
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`the trading-day server exited:\n${serverLog}`);
    try {
      if ((await fetch(`${base}/health/ready`)).ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the trading-day server was not ready in time:\n${serverLog}`);
}

async function login(user) {
  const res = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(user),
  });
  assert.equal(res.status, 200, await res.clone().text());
  const { access_token: token } = await res.json();
  return (method, path, body) =>
    fetch(`${base}/api/v1${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
}

async function signIn(page, user) {
  await page.goto(`${base}/login`);
  await page.waitForFunction(() => !document.querySelector('button[type=submit]')?.disabled);
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => u.pathname === '/');
}

before(async () => {
  await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    await exited;
  }
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

test('while closed, an order without AMO is refused with MARKET_CLOSED and the next open, and nothing is sent', async () => {
  const as = await login(ADVISOR);
  const clients = await (await as('GET', '/clients?limit=1')).json();
  const clientId = (clients.items ?? clients)[0].id;
  const refused = await as('POST', '/orders/place', {
    client_id: clientId,
    token_id: RELIANCE,
    execution: 'BUY',
    order_type: 'MARKET',
    trade_type: 'INTRADAY',
    quantity: 1,
  });
  assert.equal(refused.status, 409);
  const { error } = await refused.json();
  assert.equal(error.code, 'MARKET_CLOSED');
  assert.match(error.message, /Tue 27 Jan 2026 09:15 IST/);
  const orders = await (await as('GET', `/orders?client_id=${clientId}`)).json();
  assert.equal((orders.items ?? orders).length, 0);
});

for (const device of VIEWPORTS) {
  describe(`trading day (${device.name} ${device.viewport.width}×${device.viewport.height})`, () => {
    test('the header shows the weekend and the countdown; an AMO is placed from the desk', async () => {
      const { context, page, assertNoErrors } = await openPage(browser, device);
      const apiFailures = watchApi(page);
      try {
        await signIn(page, ADVISOR);
        const status = page.getByTestId('market-status');
        await status.waitFor({ timeout: TIMEOUT });
        assert.equal(await status.getAttribute('data-phase'), 'weekend');
        assert.equal(await page.getByTestId('market-phase').innerText(), 'NSE Weekend');
        // Saturday 11:00 to Tuesday 09:15 (Monday is Republic Day): 2 days 22 hours.
        assert.match(await page.getByTestId('market-countdown').innerText(), /opens in 2d 22h/);
        await screenshot(page, `${device.name}-trading-day-header`);

        await page.goto(`${base}/?token=${RELIANCE}`);
        await page.locator(`[data-testid=selected-instrument][data-token-id="${RELIANCE}"]`).waitFor({ timeout: TIMEOUT });
        const choice = page.getByTestId('amo-choice');
        await choice.waitFor({ timeout: TIMEOUT });
        assert.match(await choice.innerText(), /Market closed \(Weekend\)/);
        await page.waitForFunction(() => !document.querySelector('[data-testid=client-qty]')?.disabled);
        await page.getByTestId('client-qty').first().fill('2');
        await page.getByTestId('amo-toggle').check();
        assert.match(await choice.innerText(), /placed at the open, Tue 27 Jan, 09:15 IST/);
        await assertNoHorizontalScroll(page);
        await assertTapTargets(page);
        await screenshot(page, `${device.name}-trading-day-amo`);

        const placed = page.waitForResponse((r) => r.url().endsWith('/api/v1/orders/execute-all') && r.request().method() === 'POST');
        await page.getByTestId('execute-all').click();
        const dialog = page.getByTestId('confirm-dialog');
        await dialog.waitFor();
        await page.getByTestId('confirm-execute').click();
        await dialog.waitFor({ state: 'hidden', timeout: TIMEOUT }).catch(async (err) => {
          const shown = await page.getByTestId('execute-error').innerText().catch(() => '');
          throw new Error(`the AMO did not go through: ${shown}\n${apiFailures.join('\n')}\n${err.message}`);
        });
        await page.locator('[data-testid=client-row-status][data-status=OPEN]').first().waitFor({ timeout: TIMEOUT });
        await screenshot(page, `${device.name}-trading-day-amo-open`);

        const as = await login(ADVISOR);
        const batch = await (await placed).json();
        const orders = await (await as('GET', `/orders?batch_id=${batch.batch_id}`)).json();
        const rows = orders.items ?? orders;
        assert.equal(rows.length, 1);
        assert.deepEqual([rows[0].status, rows[0].amo, rows[0].filled_quantity], ['OPEN', true, 0]);
        assertNoErrors();
      } finally {
        await context.close();
      }
    });
  });
}

test('a special session added by the admin opens the market in the header', async () => {
  const device = VIEWPORTS[0];
  const { context, page, assertNoErrors } = await openPage(browser, device);
  const as = await login(ADMIN);
  try {
    await signIn(page, ADMIN);
    await page.goto(`${base}/admin`);
    const editor = page.getByTestId('calendar-overrides');
    await editor.waitFor({ timeout: TIMEOUT });
    await editor.getByLabel('Date').fill('2026-01-24');
    await editor.getByLabel('Name').fill('Special session');
    await page.getByTestId('override-session').check();
    await editor.getByLabel('Opens (IST)').fill('10:00');
    await editor.getByLabel('Closes (IST)').fill('23:30');
    await editor.getByRole('button', { name: 'Add to the calendar' }).click();
    await page.getByTestId('calendar-override').first().waitFor({ timeout: TIMEOUT });
    assert.match(await page.getByTestId('calendar-override').first().innerText(), /24\/01\/2026[\s\S]*Special session[\s\S]*10:00–23:30/);
    await screenshot(page, `${device.name}-trading-day-calendar-admin`);
    await page.reload();
    await page.locator('[data-testid=market-status][data-phase=open]').waitFor({ timeout: TIMEOUT });
    assert.match(await page.getByTestId('market-countdown').innerText(), /closes in \d+h \d\dm/);
    assertNoErrors();
  } finally {
    await context.close();
    for (const o of await (await as('GET', '/market/calendar/overrides')).json()) {
      await as('DELETE', `/market/calendar/overrides/${o.id}`);
    }
  }
});
