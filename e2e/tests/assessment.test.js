// The national team answers an assessment in the browser: answers are saved as they are given
// (no Save click), survive a reload, and the focal point submits.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const base = process.env.CBRNHUB_URL;
let browser;

before(async () => {
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
after(async () => { await browser?.close(); });

async function signedIn(username) {
  const page = await (await browser.newContext({ locale: 'en-GB' })).newPage();
  await page.goto(base + '/login');
  await page.fill('#username', username);
  await page.fill('#password', 'cbrnhub-demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(base + '/');
  return page;
}

test('answer, reload, see the answers kept, submit', async () => {
  const nfp = await signedIn('nfp.uz');
  await nfp.getByRole('link', { name: 'Assessments' }).click();
  await nfp.fill('#f-title', 'E2E assessment');
  await nfp.selectOption('#f-questionnaire', { index: 0 });
  await nfp.getByRole('button', { name: 'Start an assessment' }).click();
  await nfp.waitForURL(/\/assessments\/[0-9a-f-]{36}$/);
  const url = nfp.url();

  // A team member answers: a maturity question (levels), a yes/partial/no, and a conditional one.
  const team = await signedIn('team.uz');
  await team.goto(url);
  // Maturity is one choice, the highest level met: level 2 stands for levels 1 and 2.
  await team.check('#q-GOV1 input[type=radio][value="2"]');
  await team.locator('#q-GOV1 .saved').filter({ hasText: '✓' }).waitFor();
  assert.equal(await team.locator('#q-GOV3').isHidden(), true, 'GOV3 shows only when GOV2 calls for it');
  await team.selectOption('#q-GOV2 select', 'yes');
  await team.locator('#q-GOV2 .saved').filter({ hasText: '✓' }).waitFor();
  assert.equal(await team.locator('#q-GOV3').isVisible(), true);
  await team.fill('#q-GOV2 input.comment', 'decree of 2021');
  await team.locator('#q-GOV2 input.comment').blur();
  await team.locator('#q-GOV2 .saved').filter({ hasText: '✓' }).waitFor();

  await team.reload();
  assert.equal(await team.isChecked('#q-GOV1 input[type=radio][value="2"]'), true);
  assert.equal(await team.isChecked('#q-GOV1 input[type=radio][value="1"]'), false);
  assert.equal(await team.isChecked('#q-GOV1 input[type=radio][value="3"]'), false);
  assert.equal(await team.inputValue('#q-GOV2 select'), 'yes');
  assert.equal(await team.inputValue('#q-GOV2 input.comment'), 'decree of 2021');

  await nfp.goto(url);
  await nfp.click('#submit-assessment');
  await nfp.waitForURL(/notice=saved/);
  assert.match(await nfp.locator('#assessment-status').textContent(), /submitted/);
  await nfp.goto(url + '/results');
  assert.match(await nfp.locator('#overall').textContent(), /%/);
  assert.equal(await nfp.locator('svg.radar').count(), 1);
});
