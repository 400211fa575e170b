// The national risk register as a focal point uses it in the browser: open the country's
// register, add a scenario, rate it, see it on the risk matrix, link the plan action that treats
// it, and find it no longer among the untreated risks; the region's secretariat sees the
// region's matrix. Screenshots of the register and the region's matrix go to e2e/artifacts/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { base, launch, signedIn, focalPoint, assertTranslated } from './session.js';

const artifacts = join(dirname(fileURLToPath(import.meta.url)), '..', 'artifacts');
let browser;
let nfp;

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  browser = await launch();
  nfp = await focalPoint(browser);
});
after(async () => { await browser?.close(); });

async function submit(page, button) {
  await Promise.all([page.waitForNavigation(), button.click()]);
  const errors = page.locator('#form-error, .field-error');
  if (await errors.count()) assert.fail(`the form was refused: ${(await errors.allTextContents()).join('; ')}`);
}

test('a scenario is rated, lands on the matrix and is treated by a plan action', async () => {
  await nfp.goto(base + '/');
  await nfp.getByRole('link', { name: 'Risks' }).click();
  await assertTranslated(nfp);
  // The demo register of Uzbekistan, round 2 in work.
  await nfp.locator('#registers a', { hasText: 'UZ' }).first().click();
  await nfp.waitForURL(/\/risk\/[0-9a-f-]{36}$/);
  const registerUrl = nfp.url();
  await assertTranslated(nfp);
  assert.ok(await nfp.locator('#matrix svg').count(), 'the register shows its matrix');

  // A new scenario.
  await nfp.locator('#new-scenario summary').click();
  await nfp.fill('#s-title', 'E2E ammonia leak at the fertiliser plant');
  await nfp.selectOption('#s-hazard', 'chemical');
  await nfp.selectOption('#s-origin', 'accidental');
  await nfp.selectOption('#s-type', 'chem_industrial');
  await nfp.fill('#s-worst', 'A storage tank fails in a light north wind at night.');
  await nfp.locator('#new-scenario input[name=capabilities][value=detection]').check();
  await submit(nfp, nfp.locator('#add-scenario'));
  await nfp.waitForURL(/\/risk\/scenarios\/[0-9a-f-]{36}/);
  await assertTranslated(nfp);

  // Its rating: likelihood 4, 60 deaths estimated (level 4 by the method's thresholds).
  await nfp.selectOption('#likelihood-level', '4');
  await nfp.selectOption('#likelihood-confidence', 'medium');
  await nfp.fill('#likelihood-justification', 'Two leaks reported at the plant since 2024.');
  await nfp.fill('#impact-fatalities-value', '60');
  await nfp.selectOption('#impact-fatalities-confidence', 'low');
  await submit(nfp, nfp.locator('#save-rating'));
  assert.equal((await nfp.locator('#scenario-band').textContent()).trim(), 'Very high');

  // The treating action: the demo plan's chemical action.
  const action = nfp.locator('#treating-actions input[name=actions]').first();
  assert.ok(await action.count(), 'the country has plan actions to choose from');
  await action.check();
  await submit(nfp, nfp.locator('#save-scenario'));
  assert.ok(await nfp.locator('#actions li').count(), 'the treating action is listed');

  // Back on the register: on the matrix, and not among the untreated risks.
  await nfp.goto(registerUrl);
  const title = nfp.locator('#matrix svg g.scenario title', { hasText: 'E2E ammonia leak' });
  assert.equal(await title.count(), 1, 'the scenario is drawn on the matrix');
  const untreated = await nfp.locator('#untreated').textContent().catch(() => '');
  assert.ok(!untreated.includes('E2E ammonia leak'), 'a treated risk is not listed as untreated');
  await nfp.screenshot({ path: join(artifacts, 'risk-register.png'), fullPage: true });

  // The region's secretariat sees the region's matrix over the shared, validated registers.
  const secretariat = await signedIn(browser, 'secretariat.ca');
  await secretariat.goto(base + '/regions/CA/risks');
  await assertTranslated(secretariat);
  assert.ok(await secretariat.locator('#region-matrix svg').count(), 'the region has a matrix');
  assert.ok((await secretariat.locator('#shared-high').textContent()).includes('Industrial chemical accident'));
  await secretariat.screenshot({ path: join(artifacts, 'risk-region.png'), fullPage: true });
  await secretariat.context().close();
});
