// A person browses the network in a real headless Chromium: home -> region -> country,
// switches to Russian, and adds an agency through the form.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const base = process.env.CBRNHUB_URL;
let browser;
let page;

before(async () => {
  assert.ok(base, 'CBRNHUB_URL must point at a running cbrnhub');
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await (await browser.newContext({ locale: 'en-GB' })).newPage();
});

after(async () => { await browser?.close(); });

test('home page lists the eight regions', async () => {
  await page.goto(base + '/');
  assert.equal(await page.locator('#regions tbody tr').count(), 8);
  assert.equal(await page.locator('#stat-countries').textContent(), '59');
});

test('follow a region, then a country', async () => {
  await page.goto(base + '/');
  await page.getByRole('link', { name: 'Central Asia' }).click();
  await page.waitForURL('**/regions/CA');
  assert.match(await page.locator('#secretariat').textContent(), /Tashkent/);
  assert.equal(await page.locator('#countries tbody tr').count(), 7);
  await page.getByRole('link', { name: 'Uzbekistan' }).click();
  await page.waitForURL('**/countries/UZ');
  assert.match(await page.locator('h1').textContent(), /Uzbekistan/);
  assert.match(await page.locator('#focal-points').textContent(), /Aziz Demo-Karimov/);
  assert.equal(await page.locator('#agencies tbody tr').count(), 3);
});

test('switch to Russian and the choice sticks', async () => {
  await page.goto(base + '/countries/UZ');
  await page.getByRole('link', { name: 'Русский' }).click();
  assert.match(await page.locator('h1').textContent(), /Узбекистан/);
  await page.getByRole('link', { name: 'Центральная Азия' }).first().click();
  assert.match(await page.locator('h1').textContent(), /Центральная Азия/);
  await page.getByRole('link', { name: 'English' }).click();
  assert.match(await page.locator('h1').textContent(), /Central Asia/);
});

test('add an agency through the form, with a field error first', async () => {
  await page.goto(base + '/countries/KZ');
  await page.getByRole('link', { name: 'Add an agency' }).click();
  await page.fill('#f-name', 'E2E Demo Radiation Agency');
  await page.selectOption('#f-kind', 'regulator');
  await page.fill('#f-website', 'not a url');
  // The browser would block an invalid url field; the server check is what we test here.
  await page.evaluate(() => { document.querySelector('#f-website').type = 'text'; });
  await page.getByRole('button', { name: 'Save' }).click();
  assert.match(await page.locator('.field.invalid .field-error').textContent(), /http/);
  await page.fill('#f-website', 'https://e2e.example.org');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.waitForURL('**/countries/KZ?notice=saved');
  assert.match(await page.locator('#agencies').textContent(), /E2E Demo Radiation Agency/);
});
