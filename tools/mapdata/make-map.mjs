// Writes data/maps/partners.json: the outlines of the partner countries (data/reference/
// countries.csv) from Natural Earth 1:50m (public domain, via the world-atlas TopoJSON),
// simplified (Douglas-Peucker, 0.03 degrees) and rounded to 0.01 degrees so the file stays
// small. Run once when the partner list changes: npm ci && node make-map.mjs
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { feature } from 'topojson-client';
import countries from 'i18n-iso-countries';

const require = createRequire(import.meta.url);
const root = new URL('../../', import.meta.url).pathname;
const world = require('world-atlas/countries-50m.json');
const kTolerance = 0.03;  // degrees: ~3 km, below one pixel on a region's map
const kMinRingPoints = 4;

const partners = new Map();  // iso2 -> iso3
for (const line of readFileSync(root + 'data/reference/countries.csv', 'utf8').trim().split('\n').slice(1)) {
  const [iso2, iso3] = line.split(',');
  partners.set(iso2, iso3);
}

function distanceToSegment(p, a, b) {
  const dx = b[0] - a[0], dy = b[1] - a[1];
  const len = dx * dx + dy * dy;
  let t = len === 0 ? 0 : ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len;
  t = Math.max(0, Math.min(1, t));
  const x = a[0] + t * dx - p[0], y = a[1] + t * dy - p[1];
  return Math.sqrt(x * x + y * y);
}

function simplify(points, tolerance) {
  if (points.length < 3) return points;
  const keep = new Array(points.length).fill(false);
  keep[0] = keep[points.length - 1] = true;
  const stack = [[0, points.length - 1]];
  while (stack.length) {
    const [first, last] = stack.pop();
    let worst = 0, index = -1;
    for (let i = first + 1; i < last; i++) {
      const d = distanceToSegment(points[i], points[first], points[last]);
      if (d > worst) { worst = d; index = i; }
    }
    if (worst > tolerance) {
      keep[index] = true;
      stack.push([first, index], [index, last]);
    }
  }
  return points.filter((_, i) => keep[i]);
}

const byNumeric = new Map();
for (const f of feature(world, world.objects.countries).features) if (f.id) byNumeric.set(f.id, f);

const out = {};
const missing = [];
for (const [iso2, iso3] of [...partners].sort()) {
  const numeric = countries.alpha3ToNumeric(iso3);
  const f = numeric && byNumeric.get(numeric);
  if (!f) { missing.push(iso2); continue; }
  const polygons = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
  const rings = [];
  for (const polygon of polygons) {
    for (const ring of polygon) {
      const simple = simplify(ring, kTolerance).map(([x, y]) => [Math.round(x * 100) / 100, Math.round(y * 100) / 100]);
      if (simple.length >= kMinRingPoints) rings.push(simple.flat());
    }
  }
  // A small island state keeps its largest ring even below the simplification's resolution.
  if (!rings.length) rings.push(polygons[0][0].map(([x, y]) => [Math.round(x * 100) / 100, Math.round(y * 100) / 100]).flat());
  out[iso2] = rings;
}
mkdirSync(root + 'data/maps', { recursive: true });
const doc = {
  source: 'Natural Earth 1:50m Cultural Vectors, Admin 0 - Countries (public domain), via world-atlas 2.0.2',
  simplified: `Douglas-Peucker ${kTolerance} degrees, coordinates rounded to 0.01 degrees`,
  format: 'iso2 -> rings, each ring a flat list lon, lat, lon, lat, ... (WGS84 degrees)',
  countries: out,
};
writeFileSync(root + 'data/maps/partners.json', JSON.stringify(doc) + '\n');
console.log(`${Object.keys(out).length} countries written; missing from Natural Earth: ${missing.join(', ') || 'none'}`);
