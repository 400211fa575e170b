// Shared by the browser tests: the browser, a signed-in page per demo account, and the checks
// every page passes.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const base = process.env.CBRNHUB_URL;

export async function launch() {
  assert.ok(base, 'CBRNHUB_URL must point at a running cbrnhub');
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// A page signed in as `username`; null when the account asks for a second factor and
// allowSecondFactor is set.
export async function signedIn(browser, username, { allowSecondFactor = false, locale = 'en-GB' } = {}) {
  const page = await (await browser.newContext({ locale, viewport: { width: 1280, height: 900 } })).newPage();
  await page.goto(base + '/login');
  await page.fill('#username', username);
  await page.fill('#password', 'cbrnhub-demo');
  await page.locator('form[action="/login"] button[type=submit]').click();
  await page.waitForURL((url) => url.pathname === '/' || url.pathname.startsWith('/login/totp'));
  if (new URL(page.url()).pathname !== '/') {
    await page.context().close();
    if (allowSecondFactor) return null;
    assert.fail(`${username} asks for a second factor`);
  }
  return page;
}

// nfp.uz signed in: browse.test.js turns on two-factor sign-in for nfp.uz and keeps the secret
// to itself; when it ran first, an administrator resets nfp.uz's second factor, as for a lost
// phone.
export async function focalPoint(browser) {
  let nfp = await signedIn(browser, 'nfp.uz', { allowSecondFactor: true });
  if (!nfp) {
    const admin = await signedIn(browser, 'admin');
    await admin.goto(base + '/admin/users');
    await admin.locator('#users a', { hasText: /^nfp\.uz$/ }).click();
    await Promise.all([admin.waitForNavigation(), admin.locator('form[action$="/reset-totp"] button').click()]);
    await admin.context().close();
    nfp = await signedIn(browser, 'nfp.uz');
  }
  return nfp;
}

// Message keys shown as they are ("plans.xyz") instead of their text.
export async function assertTranslated(page) {
  const text = await page.evaluate(() => document.body.textContent);
  const raw = text.match(/\b(plans|projects|risk|choice|field|assessment|action|admin|capability)\.[a-z_]+(\.[a-z_]+)*\b/g);
  assert.equal(raw, null, `untranslated keys on ${page.url()}: ${raw}`);
}

// The folder browser tests leave their screenshots in (e2e/artifacts/), made when missing.
export function artifactsDir() {
  const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'artifacts');
  mkdirSync(dir, { recursive: true });
  return dir;
}
