// Round tables and the brief, as the region's secretariat works in the browser: the calendar
// lists Central Asia's demo activities and round tables, the next round table shows the
// follow-up carried from the first one, the secretariat closes it; the lessons library finds a
// Russian lesson; the printable brief opens (screenshot to e2e/artifacts/) and its PDF downloads.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const base = process.env.CBRNHUB_URL;
const artifacts = join(dirname(fileURLToPath(import.meta.url)), '..', 'artifacts');
let browser;
let page;

before(async () => {
  assert.ok(base, 'CBRNHUB_URL must point at a running cbrnhub');
  mkdirSync(artifacts, { recursive: true });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await (await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 } })).newPage();
  await page.goto(base + '/login');
  await page.fill('#username', 'secretariat.ca');
  await page.fill('#password', 'cbrnhub-demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname === '/');
});
after(async () => { await browser?.close(); });

test('the secretariat closes a follow-up carried to the next round table', async () => {
  await page.goto(base + '/calendar?region=CA');
  await page.locator('#events a', { hasText: '2nd round table' }).click();
  await page.waitForURL(/\/round-tables\//);
  const carried = page.locator('#carried tr', { hasText: 'share the updated national action plan' });
  await assert.doesNotReject(carried.waitFor());
  await carried.locator('input[name="note"]').fill('Plan received on 25 November');
  await Promise.all([page.waitForNavigation(), carried.getByRole('button', { name: 'Close' }).click()]);
  assert.equal(await page.locator('#carried').count(), 0);
  assert.match(await page.locator('#agenda').textContent(), /revised questionnaire/);
});

test('the lessons library finds a Russian lesson', async () => {
  await page.goto(base + '/lessons?q=' + encodeURIComponent('ОБМЕН информац'));
  assert.match(await page.locator('#lessons').textContent(), /обмен информацией на границе/);
});

test('the brief prints and downloads as PDF', async () => {
  await page.goto(base + '/regions/CA/brief?date=2026-12-10');
  assert.match(await page.locator('#brief-title').textContent(), /Round table brief/);
  assert.equal(await page.locator('#toc li').count(), 7);
  await page.screenshot({ path: join(artifacts, 'brief.png'), fullPage: true });
  await page.emulateMedia({ media: 'print' });
  await page.screenshot({ path: join(artifacts, 'brief-print.png') });
  const pdf = await page.request.get(base + '/regions/CA/brief.pdf?date=2026-12-10&lang=ru');
  assert.equal(pdf.status(), 200);
  assert.equal(pdf.headers()['content-type'], 'application/pdf');
  assert.equal((await pdf.body()).subarray(0, 5).toString(), '%PDF-');
});
