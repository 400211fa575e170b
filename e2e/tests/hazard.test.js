// Hazard planning in the browser: the planning page draws the threat zones of a chlorine
// release and names a bad wind speed; the national focal point describes a release for an
// exercise, imports the places it lists from a CSV file and reads which zone each lies in and
// when the cloud reaches it (screenshots to e2e/artifacts/).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { base, launch, focalPoint, artifactsDir } from './session.js';

const session = {};
before(async () => {
  session.browser = await launch();
  session.page = await focalPoint(session.browser);
});
after(() => session.browser?.close());
const shot = (page, name) => page.screenshot({ path: join(artifactsDir(), name), fullPage: true });

// Fills the named fields of `form` (selects by value) and submits it.
async function submitForm(page, form, values) {
  for (const [name, value] of Object.entries(values)) {
    const field = page.locator(`${form} [name="${name}"]`);
    if (await field.evaluate((e) => e.tagName === 'SELECT')) await field.selectOption(value);
    else await field.fill(value);
  }
  await Promise.all([page.waitForNavigation(), page.locator(`${form} button[type=submit]`).click()]);
}

const chlorine = { substance: 'chlorine', kind: 'continuous', rate_kg_s: '10', duration_s: '600',
                   lat: '41.31', lon: '69.28', wind_from_deg: '270', class: 'D' };

async function fillRelease(page, { wind }) {
  await page.goto(base + '/hazard');
  await submitForm(page, '#hazard-form', { ...chlorine, wind_speed_m_s: wind });
}

test('the planning page draws the zones of a chlorine release and names a bad wind speed', async () => {
  const nfp = session.page;
  await fillRelease(nfp, { wind: '3' });
  const map = nfp.locator('#hazard-map svg');
  await assert.doesNotReject(map.waitFor());
  for (const level of [1, 2, 3]) assert.equal(await map.locator(`polygon.zone-${level}`).count(), 1);
  assert.match(await map.textContent(), /Planning estimate, not response advice/);
  const zones = nfp.locator('#hazard-zones tbody tr');
  assert.equal(await zones.count(), 3);
  assert.match(await zones.first().textContent(), /Red zone.*AEGL-3 20 ppm/);
  // Chlorine is heavier than air: the Britter-McQuaid screen warns on the page and on the map.
  assert.match(await nfp.locator('p.dense-gas').textContent(), /Heavier-than-air release/);
  assert.equal(await map.locator('text.dense-gas').count(), 1);
  await shot(nfp, 'hazard.png');

  await fillRelease(nfp, { wind: '0' });
  assert.match(await nfp.locator('#hazard-error').textContent(), /Wind speed at 10 m/);
  assert.equal(await nfp.locator('#hazard-map').count(), 0);
});

test('the ensemble draws the probability of the orange zone in bands', async () => {
  const nfp = session.page;
  await nfp.goto(base + '/hazard');
  await submitForm(nfp, '#hazard-form', { ...chlorine, wind_speed_m_s: '3', members: '200', level: '2' });
  const map = nfp.locator('#hazard-map svg');
  assert.ok(await map.locator('rect[class^="probability-"]').count() > 0);
  assert.match(await map.textContent(), /Orange zone: chance of exceeding its threshold over 200 perturbed runs/);
});

test("a scenario on an exercise lists the exercise's places per zone", async () => {
  const nfp = session.page;
  // A private exercise of Uzbekistan, made through the record form.
  const title = 'E2E: chlorine at the Tashkent rail yard';
  await nfp.goto(base + '/forms/activities?return_to=' + encodeURIComponent('/calendar?country=UZ&month=2026-11'));
  await submitForm(nfp, 'form.record', { country: 'UZ', title, type: 'field_exercise',
                                         start_date: '2026-11-20', end_date: '2026-11-20' });
  await Promise.all([nfp.waitForNavigation(), nfp.locator('#events a', { hasText: title }).first().click()]);
  const exercise = nfp.url();

  // The release, through the scenario form.
  await Promise.all([nfp.waitForNavigation(), nfp.locator('#new-hazard-scenario').click()]);
  await submitForm(nfp, 'form.record', { title: 'Tank car leak', release_json: JSON.stringify({
    substance: 'chlorine',
    source: { kind: 'continuous', rate_kg_s: 10, duration_s: 600 },
    location: { lat: 41.31, lon: 69.28 },
    met: { wind_speed_m_s: 3, wind_from_deg: 270, class: 'D' },
  }) });
  assert.equal(new URL(nfp.url()).pathname, new URL(exercise).pathname);

  // A bad file first: the page names the line and the column, and nothing is imported.
  const upload = async (csv) => {
    await nfp.setInputFiles('#places-file', { name: 'places.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await Promise.all([nfp.waitForNavigation(), nfp.locator('#places-import button[type=submit]').click()]);
  };
  await upload('name,kind,lat,lon\nSchool No. 110,school,41.31,69.2872\nClinic,hospital,95,69.3\n');
  assert.match(await nfp.locator('#form-error').textContent(), /places\.csv, line 3, column lat/);
  assert.equal(await nfp.locator('#place-list').count(), 0);

  await upload('name,kind,lat,lon\n' +
               'School No. 110,school,41.31,69.2872\n' +
               'Upwind kindergarten,kindergarten,41.31,69.2728\n');
  assert.equal(await nfp.locator('#place-list tbody tr').count(), 2);
  const places = nfp.locator('.hazard-scenario .hazard-places');
  const school = places.locator('tr.place-zone-3', { hasText: 'School No. 110' });
  await assert.doesNotReject(school.waitFor());
  assert.match(await school.textContent(), /Red zone.*school.*601 m.*3 min/);
  assert.match(await places.locator('tr.place-zone-0').textContent(), /Outside the zones.*Upwind kindergarten.*kindergarten/);
  assert.equal(await nfp.locator('.hazard-scenario svg rect.place').count(), 2);
  await shot(nfp, 'hazard-exercise.png');
});
