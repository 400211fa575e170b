// From an assessment's priority to a shared action plan, as people do it in the browser: the
// focal point starts an assessment, the team answers and saves, the focal point turns a priority
// into an action, fills it in, records progress, shares the plan with the region, and the
// region's secretariat finds the plan on the region's plans page. Screenshots of the plan page
// and the region page go to e2e/artifacts/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { base, launch, signedIn as signedInAs, focalPoint, assertTranslated } from './session.js';

const artifacts = join(dirname(fileURLToPath(import.meta.url)), '..', 'artifacts');
let browser;
let nfp;

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  browser = await launch();
  nfp = await focalPoint(browser);
});
after(async () => { await browser?.close(); });

const signedIn = (username, options) => signedInAs(browser, username, options);

// Saves a record form with its own Save button (not the sign-out or delete forms'); a form
// sent back with errors fails the test with the messages.
async function saveRecord(page) {
  await Promise.all([page.waitForNavigation(), page.locator('form.record button[type=submit]').click()]);
  const errors = page.locator('#form-error, .field-error');
  if (await errors.count()) assert.fail(`the form was refused: ${(await errors.allTextContents()).join('; ')}`);
}

test('a priority becomes an action, progresses, and the region sees the shared plan', async () => {
  // The focal point starts an assessment.
  await nfp.goto(base + '/');
  await nfp.getByRole('link', { name: 'Assessments' }).click();
  await nfp.fill('#f-title', 'E2E plans assessment');
  await nfp.selectOption('#f-questionnaire', { index: 0 });
  await nfp.getByRole('button', { name: 'Start an assessment' }).click();
  await nfp.waitForURL(/\/assessments\/[0-9a-f-]{36}$/);
  const assessmentUrl = nfp.url();
  const assessmentId = assessmentUrl.split('/').pop();

  // The team answers two questions and saves.
  const team = await signedIn('team.uz');
  await team.goto(assessmentUrl);
  await team.check('#q-GOV1 input[type=radio][value="1"]');
  await team.selectOption('#q-GOV2 select', 'no');
  await Promise.all([team.waitForNavigation(), team.click('#save-all')]);
  await team.goto(assessmentUrl);
  assert.equal(await team.isChecked('#q-GOV1 input[type=radio][value="1"]'), true);
  assert.equal(await team.inputValue('#q-GOV2 select'), 'no');

  // The results list the priorities; the first one becomes an action.
  await nfp.goto(assessmentUrl + '/results');
  const first = nfp.locator('#priorities > li').first();
  await first.waitFor();
  const question = (await first.locator('strong').first().textContent()).trim();
  assert.ok(question, 'the top priority names its question');
  const button = first.locator('button.make-action');
  if (await button.count()) {
    await button.click();
    // The demo country has an adopted plan: the click leads to it, to be revised first.
    await nfp.waitForLoadState();
    if (/\/plans\/[0-9a-f-]{36}\?error=/.test(nfp.url())) {
      assert.equal(await nfp.locator('#form-error').count(), 1, 'the plan page says why');
      await nfp.click('#revise');
      await nfp.waitForURL(/notice=saved/);
      await nfp.goto(assessmentUrl + '/results');
      await nfp.locator('#priorities > li').first().locator('button.make-action').click();
    }
  } else {
    // No button on the page: post the same form the button would.
    await nfp.evaluate(({ id, q }) => {
      const form = document.createElement('form');
      form.method = 'post';
      form.action = `/assessments/${id}/priorities/${encodeURIComponent(q)}/action`;
      for (const [name, value] of [['csrf_token', document.querySelector('input[name=csrf_token]').value],
                                   ['title', 'Close the gap']]) {
        const input = document.createElement('input');
        input.type = 'hidden';
        input.name = name;
        input.value = value;
        form.appendChild(input);
      }
      document.body.appendChild(form);
      form.submit();
    }, { id: assessmentId, q: question });
  }
  await nfp.waitForURL(/\/forms\/plan_actions\?plan_id=[0-9a-f-]{36}/);
  const planId = new URL(nfp.url()).searchParams.get('plan_id');
  assert.equal(await nfp.inputValue('#f-priorities'), question, 'the form links the action to the priority');

  // Fill in the prefilled action and save: back on the plan page.
  await nfp.fill('#f-title', 'Train first responders in chemical incidents');
  await nfp.selectOption('#f-area', 'chemical');
  await nfp.fill('#f-start_date', '2026-01-01');
  await nfp.fill('#f-end_date', '2027-12-31');
  await nfp.fill('#f-budget', '48000');
  await nfp.fill('#f-currency', 'EUR');
  // Every number field is filled: an empty one is refused ("secured must be a whole number").
  await nfp.fill('#f-secured', '12000');
  await nfp.fill('#f-percent', '0');
  await nfp.selectOption('#f-status', 'on_track');
  await saveRecord(nfp);
  await nfp.waitForURL(new RegExp(`/plans/${planId}(\\?|$)`));
  const row = nfp.locator('#actions tbody tr').filter({ hasText: 'Train first responders in chemical incidents' });
  assert.equal(await row.count(), 1);
  assert.match(await row.textContent(), new RegExp(question));
  assert.equal(await nfp.locator('svg.timeline').count(), 1, 'the timeline is drawn');
  const bar = nfp.locator('svg.timeline g.bar').filter({ hasText: 'Train first responders in chemical incidents' });
  assert.equal(await bar.count(), 1, 'one bar for the new action');
  assert.match(await nfp.locator('#budget').textContent(), /EUR/);

  // Progress: edit the action, 40 % done.
  await row.getByRole('link', { name: 'Edit' }).click();
  await nfp.waitForURL(/\/forms\/plan_actions\/[0-9a-f-]{36}/);
  await nfp.fill('#f-percent', '40');
  await nfp.fill('#f-progress_note', 'two courses held');
  await saveRecord(nfp);
  await nfp.waitForURL(new RegExp(`/plans/${planId}(\\?|$)`));
  assert.equal((await row.locator('td').nth(5).textContent()).trim(), '40');
  assert.match(await bar.locator('title').textContent(), /40(\.0)?\s?%/);

  // Share the plan with the region.
  await nfp.goto(`${base}/forms/action_plans/${planId}?return_to=%2Fplans%2F${planId}`);
  await nfp.selectOption('#f-sharing', 'region');
  await saveRecord(nfp);
  await nfp.waitForURL(new RegExp(`/plans/${planId}(\\?|$)`));
  await nfp.screenshot({ path: join(artifacts, 'plan.png'), fullPage: true });
  await assertTranslated(nfp);

  // The region's secretariat sees it on the region's plans page and follows the link.
  const secretariat = await signedIn('secretariat.ca');
  await secretariat.goto(base + '/regions/CA/plans');
  const uz = secretariat.locator('#plan-UZ');
  const link = uz.locator(`a[href="/plans/${planId}"]`);
  assert.equal(await link.count(), 1, 'the UZ row links to the shared plan');
  assert.ok(Number((await uz.locator('td').nth(3).textContent()).trim()) >= 1, 'its action on track is counted');
  await secretariat.screenshot({ path: join(artifacts, 'region-plans.png'), fullPage: true });
  await assertTranslated(secretariat);
  await link.click();
  await secretariat.waitForURL(new RegExp(`/plans/${planId}$`));
  assert.equal(await secretariat.locator('svg.timeline').count(), 1);
  assert.equal(await secretariat.locator('#new-action').count(), 0, 'the secretariat does not edit a country plan');
});
