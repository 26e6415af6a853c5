// The dashboard's network and server controls in headless Chromium, on the server `osm serve` starts: a web top-up
// queued from the page reaches the meter's backend and the firmware credits it at its next poll; coverage switched
// off from the page makes the firmware's GSM path fail (the page counts its debug log's `Connecting to APN: terminal
// fail` lines), and
// back on it succeeds again; the page shows what the broker received. A screenshot is saved as
// out/test/dashboard-comms.png. Skipped (reported as skipped) when /usr/bin/chromium is not installed; CI installs it.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chromium, type Page } from 'playwright-core';
import { createServeCommand } from '../cli/commands/serve.ts';
import type { OsmServer } from '../dashboard/server.ts';
import { browserTest, body, CHROMIUM, CHROMIUM_ARGS, until as waitUntil } from './support/browser.ts';
import { ownBackend } from './support/own-backend.ts';

const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', 'out', 'test');
const run = browserTest;
/** The comms pages wait longer: a modem registers and attaches in simulated seconds at 60x. */
const until = (what: string, cond: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> => waitUntil(what, cond, timeoutMs);



const quiet = { write: () => true };

/**
 * `osm serve argv` with its page open in Chromium: `fn` gets the page once it is connected, and the page errors
 * (console errors other than a failed resource load) so far. Returns the command's exit code.
 */
async function withPage(argv: string[], fn: (page: Page, errors: string[], missing: string[]) => Promise<void>): Promise<number> {
  let failure: unknown = null;
  const cmd = createServeCommand({
    io: { stdout: quiet, stderr: quiet }, env: {}, embedFile: '/nonexistent/embed.ts',
    until: async (server: OsmServer) => {
      const profileDir = mkdtempSync(join(tmpdir(), 'osm-comms-chromium-'));
      const context = await chromium.launchPersistentContext(profileDir, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 720 } });
      try {
        const page = context.pages()[0] ?? (await context.newPage());
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(e.message));
        const missing: string[] = [];
        page.on('response', (r) => { if (r.status() >= 400) missing.push(new URL(r.url()).pathname); });
        // the browser's own favicon request gets a 404 (the page has none); any other failure is an error
        page.on('console', (m) => { if (m.type() === 'error' && !/^Failed to load resource/.test(m.text())) errors.push(m.text()); });
        await page.goto(server.url());
        await until('the connection', async () => (await page.getAttribute('#conn', 'data-state')) === 'connected');
        await fn(page, errors, missing);
      } catch (err) {
        failure = err;
      } finally {
        await context.close();
        rmSync(profileDir, { recursive: true, force: true });
      }
    },
  });
  const code = await cmd.run(argv);
  if (failure) throw failure;
  return code;
}

run('a top-up paid on the page is credited by the meter, and coverage switched off makes its GSM path fail', async () => {
  const code = await withPage(['--port', '0', '--mqtt-port', '0', '--backend-port', '0', '--speed', '20', '--fidelity', 'phasor', '--no-household', '--no-node-red'], async (page, errors, missing) => {
    // the meter boots (about 23 s of meter time) and polls its backend: the first GPRS attempt succeeds
    await until('a successful poll', async () => (await body(page, 'gsm')) === 'OK');
    assert.is(await body(page, 'coverage'), 'true');

    // a customer pays 200 from the page: pending on the backend, then credited by the firmware's next poll
    const before = Number(await body(page, 'credit'));
    assert.ok(before > 400 && before <= 500, `credit before the top-up: ${before}`);
    await page.fill('#topup-amount', '200');
    await page.click('#topup');
    await until('the web top-up credited', async () => Number(await body(page, 'credit')) > before + 199);
    await until('nothing pending any more', async () => (await body(page, 'pending')) === '0');
    const after = Number(await body(page, 'credit'));
    assert.ok(after > before + 199 && after <= before + 200, `credit ${before} -> ${after}`);

    // coverage off: the modem deregisters and the firmware's next GPRS attach fails
    const fails = Number(await body(page, 'gsm-fails'));
    await page.click('#net-coverage');
    await until('coverage off on the page', async () => (await body(page, 'coverage')) === 'false');
    await until('the GSM path failing', async () => (await body(page, 'gsm')) === 'fail' && Number(await body(page, 'gsm-fails')) > fails);
    assert.match((await page.textContent('#net-status')) ?? '', /not registered/);
    assert.match((await page.textContent('#net-status')) ?? '', /last GPRS attempt: fail/);
    // and back on: the next attempt succeeds again
    await page.click('#net-coverage');
    await until('a successful poll after coverage returned', async () => (await body(page, 'gsm')) === 'OK', 90_000);

    mkdirSync(OUT, { recursive: true });
    await page.screenshot({ path: join(OUT, 'dashboard-comms.png') });
    assert.equal(errors, []);
    assert.equal(missing.filter((p) => p !== '/favicon.ico'), []);
  });
  assert.is(code, 0);
});

run('with --backend the page says the meter polls your own backend, Pay is off, and the credit comes from your server', async () => {
  const own = await ownBackend({ pending: 120 });
  const url = own.url;
  try {
    const code = await withPage(['--port', '0', '--mqtt-port', '0', '--backend', url, '--speed', '20', '--fidelity', 'phasor', '--no-household', '--no-node-red'], async (page, errors) => {
      await until('the credit from your backend', async () => Number(await body(page, 'credit')) > 600);
      assert.match((await page.textContent('#topup-pending')) ?? '', new RegExp(`the meter polls ${url.replace(/[.]/g, '\\.')}/subscribe\\.php \\(your own backend: pay there\\)`));
      assert.ok(await page.isDisabled('#topup'), 'Pay is off');
      assert.ok(await page.isDisabled('#net-fault-apply'), 'Fault is off');
      assert.match((await page.textContent('#net-status')) ?? '', /backend answered 200 "120\/70\/sucess"|backend answered 200 "0\/70\/"/);
      assert.equal(errors, []);
    });
    assert.is(code, 0);
  } finally {
    await own.close();
  }
});

test.run();
