// A licensing officer loads a national list through the web form, screens a name written in
// Cyrillic, reads the explanation and records a decision; screening again remembers it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const base = process.env.CBRNHUB_URL;
let browser;
let page;

before(async () => {
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await (await browser.newContext({ locale: 'en-GB' })).newPage();
  await page.goto(base + '/login');
  await page.fill('#username', 'licensing.uz');
  await page.fill('#password', 'cbrnhub-demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(base + '/');
});

after(async () => { await browser?.close(); });

test('load a list, screen a name, decide on the hit', async () => {
  await page.getByRole('link', { name: 'Export control' }).click();
  await page.waitForURL('**/screening');
  await page.getByRole('link', { name: 'Sanctions lists' }).click();
  await page.fill('#f-list_code', 'national-uz');
  await page.selectOption('#f-format', 'csv');
  await page.setInputFiles('#f-file', {
    name: 'national-uz.csv', mimeType: 'text/csv',
    buffer: Buffer.from('id,name,kind,birth_dates,countries\nUZ-7,Sergey Viktorovich Shchukin,individual,1968,RU\n' +
                        'UZ-8,Tashkent Precursor Trading LLC,organisation,,UZ\n'),
  });
  await page.getByRole('button', { name: 'Import an edition' }).click();
  await page.waitForURL('**/sanctions/editions/**');
  assert.match(await page.locator('#counts').textContent(), /\+0/);

  await page.goto(base + '/screening');
  await page.fill('#f-name', 'Щукин Сергей');
  await page.fill('#f-birth_date', '1968-05-14');
  await page.click('#screen');
  await page.waitForURL(/\/screening\/[0-9a-f-]{36}$/);
  const hit = page.locator('#hits li').first();
  assert.match(await hit.textContent(), /UZ-7/);
  assert.match(await hit.textContent(), /transliteration variant|same spelling/);
  await hit.locator('select[name=decision]').selectOption('false_positive');
  await hit.locator('input[name=reason]').fill('a different person: passport checked');
  await hit.getByRole('button', { name: 'Record the decision' }).click();
  await page.waitForURL(/notice=saved/);
  assert.match(await page.locator('#decision-UZ-7').textContent(), /False positive.*passport checked/);

  // The same party again: the decision is remembered, nothing is left to decide.
  await page.goto(base + '/screening');
  await page.fill('#f-name', 'Щукин Сергей');
  await page.fill('#f-birth_date', '1968-05-14');
  await page.click('#screen');
  await page.waitForURL(/\/screening\/[0-9a-f-]{36}$/);
  assert.match(await page.locator('#decision-UZ-7').textContent(), /remembered/);
});
