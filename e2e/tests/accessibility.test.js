// Accessibility in a real browser: axe-core finds no WCAG 2.1 A/AA violation on the pages people
// use, in English, French, Russian and Arabic; pages reflow at 320 px without scrolling sideways
// (wide tables scroll in their own box); the header stays on one line at 1280 px. Screenshots of
// the heat map, the region's map, results and an Arabic page are kept in e2e/artifacts/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { base, launch, signedIn } from './session.js';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const artifacts = new URL('../artifacts/', import.meta.url).pathname;
const languages = ['en', 'fr', 'ru', 'ar'];
let browser;

before(async () => {
  browser = await launch();
  mkdirSync(artifacts, { recursive: true });
});
after(async () => { await browser?.close(); });

// The violations of WCAG 2.1 A and AA rules on the page as it is now, one line each.
async function violations(page) {
  // evaluate, not a script tag: the pages' Content-Security-Policy allows no inline script.
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
  }));
  return result.violations.map((v) => `${page.url()} ${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

async function checkPages(page, paths) {
  const found = [];
  for (const lang of languages) {
    for (const path of paths) {
      const response = await page.goto(base + path + (path.includes('?') ? '&' : '?') + 'lang=' + lang);
      assert.equal(response.status(), 200, path);
      found.push(...await violations(page));
    }
  }
  assert.deepEqual(found, []);
}

test('no WCAG 2.1 A/AA violations for the Regional Secretariat, in four languages', async () => {
  const page = await signedIn(browser, 'secretariat.ca');
  await page.goto(base + '/regions/CA/assessments');
  const results = await page.locator('#heatmap a[href$="/results"]').first().getAttribute('href');
  await checkPages(page, ['/', '/regions/CA', '/regions/CA/assessments', '/regions/CA/assessments?function=response',
                          '/countries', '/countries/UZ', '/assessments', results, '/plans', '/risk', '/calendar',
                          '/lessons', '/projects', '/account']);
  await page.context().close();
});

test('no WCAG 2.1 A/AA violations on the answer page and export control, in four languages', async () => {
  const nfp = await signedIn(browser, 'team.uz');
  await nfp.goto(base + '/assessments');
  const assessment = await nfp.locator('a[href^="/assessments/"]').first().getAttribute('href');
  await checkPages(nfp, [assessment]);
  await nfp.context().close();
  const officer = await signedIn(browser, 'licensing.uz');
  await checkPages(officer, ['/screening', '/sanctions', '/licences', '/control-list']);
  await officer.context().close();
});

test('pages reflow at 320 px; the header is one line at 1280 px', async () => {
  const page = await signedIn(browser, 'admin');
  for (const lang of languages) {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(base + '/?lang=' + lang);
    const header = await page.locator('header.top').boundingBox();
    assert.ok(header.height < 60, `the header wraps at 1280 px in ${lang}: ${header.height} px high`);
    await page.setViewportSize({ width: 320, height: 700 });
    for (const path of ['/', '/regions/CA', '/regions/CA/assessments', '/countries', '/assessments']) {
      await page.goto(base + path + '?lang=' + lang);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 320, `${path} in ${lang} is ${width} px wide at 320 px`);
    }
  }
  await page.context().close();
});

test('screenshots: heat map, region map, results, an Arabic page', async () => {
  const page = await signedIn(browser, 'secretariat.ca');
  await page.goto(base + '/regions/CA/assessments?lang=en');
  await page.locator('#heatmap').screenshot({ path: artifacts + 'heat-map.png' });
  await page.locator('#region-map').screenshot({ path: artifacts + 'region-map.png' });
  assert.ok(await page.locator('#region-map svg path').count() >= 3, 'the region map draws its countries');
  const results = await page.locator('#heatmap a[href$="/results"]').first().getAttribute('href');
  await page.goto(base + results);
  await page.screenshot({ path: artifacts + 'results.png', fullPage: true });
  await page.goto(base + '/?lang=ar');
  assert.equal(await page.locator('html').getAttribute('dir'), 'rtl');
  await page.screenshot({ path: artifacts + 'network-ar.png', fullPage: true });
  await page.context().close();
});
