// People use cbrnhub in a real headless Chromium: sign in, browse home -> region -> country,
// switch to Russian, add an agency through a form, turn on two-factor sign-in and use it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { totp } from './totp.js';

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
  await signIn('nfp.uz');
});

async function signIn(username, password = 'cbrnhub-demo') {
  await page.goto(base + '/');
  await page.waitForURL('**/login?next=*');
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

after(async () => { await browser?.close(); });

test('a wrong password is refused with a message', async () => {
  const context = await browser.newContext({ locale: 'en-GB' });
  const other = await context.newPage();
  await other.goto(base + '/login');
  await other.fill('#username', 'nfp.uz');
  await other.fill('#password', 'not-the-password');
  await other.getByRole('button', { name: 'Sign in' }).click();
  assert.match(await other.locator('#login-error').textContent(), /wrong username or password/i);
  await context.close();
});

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
  await page.getByRole('link', { name: 'Uzbekistan', exact: true }).click();
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
  await page.goto(base + '/countries/UZ');
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
  await page.waitForURL('**/countries/UZ?notice=saved');
  assert.match(await page.locator('#agencies').textContent(), /E2E Demo Radiation Agency/);
});

test('turn on two-factor sign-in, sign out, sign in with a code', async () => {
  await page.goto(base + '/account');
  await page.click('#enrol-link');
  const secret = (await page.locator('#totp-secret').textContent()).trim();
  assert.ok(await page.locator('.qr svg').isVisible(), 'the QR code is shown');
  await page.fill('#code', totp(secret));
  await page.getByRole('button', { name: 'Turn on' }).click();
  await page.waitForURL('**/account?notice=saved');
  assert.match(await page.locator('#totp-state').textContent(), /on/);

  await page.click('#logout');
  await page.waitForURL('**/login');
  await signIn('nfp.uz');
  await page.waitForURL('**/login/totp*');
  // The enrolment code may not be replayed: use the next time step's code.
  await page.fill('#code', totp(secret, Date.now() / 1000 + 30));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(base + '/');
  assert.match(await page.locator('#account-link').textContent(), /Demo NFP Uzbekistan/);
});
