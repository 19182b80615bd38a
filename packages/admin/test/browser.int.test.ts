import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminServer, startAdminServer } from '../src/index.js';
import { type Fleet, SECRETS, startFleet } from './support/fleet.js';

/*
 * The admin page in a real headless Chromium (Debian's package, never a downloaded browser),
 * against a running caller: a real ServiceManager whose calls go to real upstream servers on
 * 127.0.0.1, one of three instances dead (so ejected). `UPDATE_SCREENSHOT=1` rewrites
 * docs/admin.png from what this test sees.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOT = fileURLToPath(new URL('../docs/admin.png', import.meta.url));

let fleet: Fleet;
let admin: AdminServer;
let browser: Browser;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is missing at ${CHROMIUM}: the admin page's browser test needs it. Install Debian's package (apt-get install -y chromium) or point CHROMIUM_PATH at a Chromium binary.`,
    );
  }
  fleet = await startFleet();
  await fleet.drive(12);
  admin = await startAdminServer({
    source: fleet.manager,
    basePath: '/admin',
    refreshSeconds: 1,
    services: ['quiet'],
    title: 'checkout <caller>',
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Root in a container has no user namespace for Chromium's sandbox.
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    timeout: 60_000,
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 760 }, colorScheme: 'light' });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning')
      problems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  await page.goto(admin.url, { waitUntil: 'load' });
  await page.locator('section[data-service="greeter"]').waitFor({ timeout: 15_000 });
});

afterAll(async () => {
  await browser?.close();
  await admin?.close();
  await fleet?.close();
});

describe('the admin page in Chromium', () => {
  it('shows each service with its instance count, and the dead instance as ejected', async () => {
    const greeter = page.locator('section[data-service="greeter"]');
    await expect.poll(() => greeter.locator('h2').textContent()).toBe('greeter');
    expect(await greeter.locator('[data-figure="instances"] b').textContent()).toBe('3');
    expect(await greeter.locator('[data-figure="ejected"] b').textContent()).toBe('1');
    expect(await greeter.locator('tr[data-instance]').count()).toBe(3);
    const dead = greeter.locator(`tr[data-instance="127.0.0.1:${fleet.deadPort}"]`);
    expect(await dead.getAttribute('data-state')).toBe('ejected');
    expect(await dead.locator('.state').textContent()).toBe('ejected');
    expect(await dead.textContent()).toContain('connect-failure');
    for (const port of fleet.ports) {
      const live = greeter.locator(`tr[data-instance="127.0.0.1:${port}"]`);
      expect(await live.getAttribute('data-state')).toBe('up');
    }
    const quiet = page.locator('section[data-service="quiet"]');
    expect(await quiet.locator('[data-figure="instances"] b').textContent()).toBe('1');
    expect(await quiet.textContent()).toContain('not called yet');
    expect(await page.title()).toBe('checkout <caller> admin');
    expect(await page.locator('header h1').textContent()).toBe('checkout <caller>');
    // Two sparklines per service, drawn as inline SVG.
    expect(await greeter.locator('[data-chart] svg polyline').count()).toBe(2);
  });

  it('shows user-controlled metadata as text, never as markup', async () => {
    const row = page.locator(`tr[data-instance="127.0.0.1:${fleet.ports[0]}"]`);
    expect(await row.locator('.meta span').allTextContents()).toContain(
      'note=<img src=x onerror=alert(1)></script>',
    );
    expect(await page.locator('img').count()).toBe(0);
  });

  it('puts no secret anywhere on the page, and shows the config masked', async () => {
    await expect
      .poll(() => page.locator('#sc-config').textContent(), { timeout: 10_000 })
      .toContain('"password": "***"');
    // innerText on purpose: the text a person sees, next to the whole HTML. A string, so the
    // test needs no DOM types.
    const text = await page.evaluate<string>(
      'document.documentElement.innerText + document.documentElement.outerHTML',
    );
    for (const secret of Object.values(SECRETS)) expect(text).not.toContain(secret);
    expect(text).toContain('auth-token=***');
    expect(text).toContain('access_token=***');
  });

  it('refreshes itself: new calls show up without a reload', async () => {
    const calls = page
      .locator('section[data-service="greeter"] .figure', { hasText: 'calls' })
      .first()
      .locator('b');
    const before = Number(await calls.textContent());
    await fleet.drive(5);
    await expect.poll(async () => Number(await calls.textContent()), { timeout: 15_000 }).toBe(before + 5);
    expect(await page.locator('#sc-status').textContent()).toBe('refreshed every 1 s');
  });

  it('ran without a script error, a CSP violation or a dialog, and renders a screenshot', async () => {
    if (process.env.UPDATE_SCREENSHOT === '1') {
      // A few refreshes with calls between them, so the charts have a line to draw.
      const taken = page.locator('#sc-taken');
      for (let round = 0; round < 8; round++) {
        const before = await taken.textContent();
        await fleet.drive(3 + (round % 3) * 2);
        await expect.poll(() => taken.textContent(), { timeout: 10_000 }).not.toBe(before);
      }
    }
    expect(problems).toEqual([]);
    const png = await page.screenshot({
      fullPage: true,
      ...(process.env.UPDATE_SCREENSHOT === '1' ? { path: SCREENSHOT } : {}),
    });
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.length).toBeGreaterThan(10_000);
    expect(existsSync(SCREENSHOT), `${SCREENSHOT} is committed; UPDATE_SCREENSHOT=1 makes it`).toBe(true);
  });
});
