// Single sign-on end to end: a real OpenID Connect provider (the npm package oidc-provider) on a
// loopback port, cbrnhub started with sso_* settings against it, and a small cookie-keeping
// client walking the authorization code flow. The provider's token endpoint can be told to
// hand out forged ID tokens (wrong audience, expired, issued in the future, another key, "alg": "none", HS256 keyed
// with the public key): cbrnhub must refuse each one and open no session.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Provider from 'oidc-provider';
import * as jose from 'jose';

const bin = process.env.CBRNHUB_BIN;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cbrnhub-sso-'));
const clientId = 'cbrnhub-test';
const clientSecret = 'a-client-secret-for-the-test-only';

let issuer, base, server, cbrnhub, provider;
let nextAccount = 'alice';   // whom the provider signs in next
let forgery = '';            // how the token endpoint forges the next ID token ('' = not at all)
const accounts = {
  alice: { email: 'alice@elsewhere.example', email_verified: true, name: 'Alice Invited' },
  bob: { email: 'bob@uz-ministry.example', email_verified: true, name: 'Bob Ruled' },
  carol: { email: 'carol@uz-ministry.example', email_verified: false, name: 'Carol Unverified' },
  dave: { email: 'dave@nowhere.example', email_verified: true, name: 'Dave Stranger' },
};

const { privateKey, publicKey } = await jose.generateKeyPair('RS256', { extractable: true });
const other = await jose.generateKeyPair('RS256', { extractable: true });
const signingJwk = { ...(await jose.exportJWK(privateKey)), kid: 'k1', alg: 'RS256', use: 'sig' };

function b64(json) {
  return Buffer.from(JSON.stringify(json)).toString('base64url');
}

async function forge(idToken) {
  const claims = jose.decodeJwt(idToken);
  const now = Math.floor(Date.now() / 1000);
  const rs256 = (c, key) => new jose.SignJWT(c).setProtectedHeader({ alg: 'RS256', kid: 'k1', typ: 'JWT' }).sign(key);
  switch (forgery) {
    case 'wrong-audience': return rs256({ ...claims, aud: 'another-client' }, privateKey);
    case 'expired': return rs256({ ...claims, iat: now - 7200, exp: now - 3600 }, privateKey);
    // Issued an hour ahead (well beyond the allowed clock skew), valid for two.
    case 'issued-in-the-future': return rs256({ ...claims, iat: now + 3600, exp: now + 7200 }, privateKey);
    case 'other-key': return rs256(claims, other.privateKey);
    case 'alg-none': return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
    case 'hs256-public-key': {
      // The classic confusion: an HMAC keyed with the provider's public key, which anyone has.
      const pem = new TextEncoder().encode(await jose.exportSPKI(publicKey));
      return new jose.SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: 'k1', typ: 'JWT' }).sign(pem);
    }
    case 'wrong-nonce': return rs256({ ...claims, nonce: 'not-the-nonce' }, privateKey);
    case 'wrong-issuer': return rs256({ ...claims, iss: 'https://impostor.example' }, privateKey);
    default: throw new Error(`unknown forgery ${forgery}`);
  }
}

function startProvider(redirectUri) {
  provider = new Provider(issuer, {
    clients: [{
      client_id: clientId, client_secret: clientSecret, redirect_uris: [redirectUri],
      response_types: ['code'], grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_basic',
    }],
    jwks: { keys: [signingJwk] },
    pkce: { methods: ['S256'], required: () => true },
    features: { devInteractions: { enabled: false } },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    findAccount: async (ctx, sub) => ({ accountId: sub, claims: async () => ({ sub, ...accounts[sub] }) }),
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    cookies: { keys: ['a-cookie-key-for-the-test-only'] },
  });
  // Forged ID tokens come out of the real token endpoint, after the code was checked.
  provider.use(async (ctx, next) => {
    await next();
    if (forgery && ctx.path === '/token' && ctx.method === 'POST' && ctx.body?.id_token) {
      ctx.body = { ...ctx.body, id_token: await forge(ctx.body.id_token) };
    }
  });
  return provider.callback();
}

// The user at the provider: signs in as `nextAccount` and consents, with no page to fill in.
async function interact(req, res) {
  const details = await provider.interactionDetails(req, res);
  const grant = new provider.Grant({ accountId: nextAccount, clientId: details.params.client_id });
  grant.addOIDCScope('openid email profile');
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { login: { accountId: nextAccount }, consent: { grantId } },
    { mergeWithLastSubmission: false });
}

// A browser without JavaScript: keeps cookies per host and follows redirects by hand.
class Browser {
  constructor() { this.jar = new Map(); }
  cookies(url) {
    const host = new URL(url).host;
    return [...(this.jar.get(host) ?? new Map())].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  keep(url, response) {
    const host = new URL(url).host;
    const jar = this.jar.get(host) ?? new Map();
    for (const c of response.headers.getSetCookie()) {
      const [pair, ...attributes] = c.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim(), value = pair.slice(eq + 1).trim();
      const gone = value === '' || attributes.some((a) => /max-age=0/i.test(a.trim()));
      if (gone) jar.delete(name); else jar.set(name, value);
    }
    this.jar.set(host, jar);
  }
  async request(url, options = {}) {
    const headers = { ...(options.headers ?? {}), cookie: this.cookies(url) };
    const response = await fetch(url, { ...options, headers, redirect: 'manual' });
    this.keep(url, response);
    return response;
  }
  // Follows redirects from `url` until one leads to cbrnhub's callback (returned, not visited)
  // or a page answers.
  async toCallback(url) {
    for (let i = 0; i < 20; i++) {
      const r = await this.request(url);
      const location = r.headers.get('location');
      if (!location) return { page: r };
      url = new URL(location, url).href;
      if (url.startsWith(`${base}/login/sso/callback`)) return { callback: url };
    }
    throw new Error('too many redirects');
  }
  async signedInAs() {
    const r = await this.request(`${base}/api/v1/session`);
    const body = await r.json();
    return body.user ?? null;
  }
}

async function beginSignIn(browser, account, query = '') {
  nextAccount = account;
  const start = await browser.toCallback(`${base}/login/sso${query}`);
  assert.ok(start.callback, `the provider sends the browser back (got ${start.page?.status})`);
  return start.callback;
}

async function refused(response, words) {
  const text = await response.text();
  assert.equal(response.status, 401, text.slice(0, 400));
  assert.match(text, words);
  assert.ok(!response.headers.getSetCookie().some((c) => /^cbrnhub_session=[^;]+/.test(c)),
    'no session cookie on a refused sign-in');
}

function run(args, input) {
  const r = spawnSync(bin, args, { input, encoding: 'utf8' });
  return r;
}

before(async () => {
  assert.ok(bin && fs.existsSync(bin), 'CBRNHUB_BIN names the cbrnhub binary');
  let handler = (req, res) => { res.statusCode = 503; res.end(); };
  server = http.createServer((req, res) => {
    if (req.url.startsWith('/interaction/')) {
      interact(req, res).catch((e) => { res.statusCode = 500; res.end(String(e)); });
    } else {
      handler(req, res);
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  issuer = `http://127.0.0.1:${server.address().port}`;

  const db = `sqlite:${work}/sso.db`;
  const seed = run(['-d', db, 'seed', '--demo']);
  assert.equal(seed.status, 0, seed.stderr);
  // The redirect URI configured names cbrnhub's port: take a free one first.
  const probe = net.createServer();
  await new Promise((ok) => probe.listen(0, '127.0.0.1', ok));
  const port = probe.address().port;
  await new Promise((ok) => probe.close(ok));
  base = `http://127.0.0.1:${port}`;
  handler = startProvider(`${base}/login/sso/callback`);
  const conf = path.join(work, 'cbrnhub.conf');
  fs.writeFileSync(conf, [
    `sso_issuer = ${issuer}`, 'sso_provider_name = Test IdP', `sso_client_id = ${clientId}`,
    `sso_client_secret = ${clientSecret}`, `sso_redirect_uri = ${base}/login/sso/callback`,
    'sso_algorithm = RS256', 'sso_domain_rules = uz-ministry.example=team:UZ; partners.example=observer',
  ].join('\n') + '\n');
  const portFile = path.join(work, 'port');
  cbrnhub = spawn(bin, ['-c', conf, '-d', db, 'serve', '--port', String(port), '--port-file', portFile,
    '--access-log', 'false'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  cbrnhub.stderr.on('data', (d) => { log += d; });
  for (let i = 0; i < 100 && !fs.existsSync(portFile); i++) await new Promise((ok) => setTimeout(ok, 100));
  assert.ok(fs.existsSync(portFile), `cbrnhub started: ${log}`);
});

after(async () => {
  cbrnhub?.kill('SIGTERM');
  if (cbrnhub) await new Promise((ok) => cbrnhub.once('exit', ok));
  await new Promise((ok) => server.close(ok));
  fs.rmSync(work, { recursive: true, force: true });
});

test('the sign-in page offers the provider in all four languages', async () => {
  const words = { en: 'Sign in with', fr: 'Se connecter avec', ru: 'Войти через', ar: 'تسجيل الدخول عبر' };
  for (const [lang, text] of Object.entries(words)) {
    const r = await fetch(`${base}/login?lang=${lang}`);
    const html = await r.text();
    assert.equal(r.status, 200);
    assert.ok(html.includes(`${text} <bdi>Test IdP</bdi>`), `${lang}: ${text} Test IdP`);
  }
});

test('an invited user links their provider account and signs in with it from then on', async () => {
  const admin = new Browser();
  const session = await admin.request(`${base}/api/v1/session`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: 'cbrnhub-demo' }),
  });
  assert.equal(session.status, 201);
  const { csrf_token: csrf } = await session.json();
  const created = await admin.request(`${base}/api/v1/users`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
    body: JSON.stringify({ username: 'alice', display_name: 'Alice Invited', role: 'nfp', country: 'UZ' }),
  });
  const user = await created.json();
  assert.equal(created.status, 201, JSON.stringify(user));
  const token = user.invite_link.split('/invite/')[1];

  const invitePage = await (await fetch(`${base}/invite/${token}`)).text();
  assert.ok(invitePage.includes(`/login/sso?invite=${token}`), 'the invitation offers the provider');

  const browser = new Browser();
  const callback = await beginSignIn(browser, 'alice', `?invite=${token}`);
  const done = await browser.request(callback);
  assert.equal(done.status, 303, await done.text());
  const me = await browser.signedInAs();
  assert.equal(me?.display_name, 'Alice Invited');
  assert.equal(me?.role, 'nfp');
  assert.equal(me?.country, 'UZ');

  // The invitation is used up; the link stays: a new browser signs in without it.
  assert.equal((await fetch(`${base}/invite/${token}`)).status, 404);
  const again = new Browser();
  const done2 = await again.request(await beginSignIn(again, 'alice', '?next=%2Faccount'));
  assert.equal(done2.status, 303);
  assert.equal(done2.headers.get('location'), '/account');
  assert.equal((await again.signedInAs())?.display_name, 'Alice Invited');
});

test('a verified e-mail domain rule gives only the role and scope it names', async () => {
  const browser = new Browser();
  const done = await browser.request(await beginSignIn(browser, 'bob'));
  assert.equal(done.status, 303, await done.text());
  const me = await browser.signedInAs();
  assert.equal(me?.role, 'team');
  assert.equal(me?.country, 'UZ');
});

test('an unverified e-mail or an unknown domain gets no account', async () => {
  for (const account of ['carol', 'dave']) {
    const browser = new Browser();
    const r = await browser.request(await beginSignIn(browser, account));
    assert.equal(r.status, 403);
    assert.match(await r.text(), /not linked to a cbrnhub account/);
    assert.equal(await browser.signedInAs(), null);
  }
});

test("a refusal is told in the reader's language", async () => {
  const words = {
    fr: /lié à aucun compte cbrnhub : demandez une invitation/,
    ru: /не привязана к учётной записи cbrnhub/,
    ar: /غير مرتبط بأي حساب في cbrnhub/,
  };
  for (const [lang, text] of Object.entries(words)) {
    const browser = new Browser();
    const r = await browser.request(await beginSignIn(browser, 'dave'), { headers: { 'accept-language': lang } });
    assert.equal(r.status, 403);
    const html = await r.text();
    assert.match(html, text, lang);
    assert.doesNotMatch(html, /not linked to a cbrnhub account/, `${lang}: the English is gone`);
  }
  // A callback reaching another browser than the one that began the sign-in, read in French.
  const callback = await beginSignIn(new Browser(), 'bob');
  await refused(await new Browser().request(callback, { headers: { 'accept-language': 'fr' } }),
    /commencée dans un autre navigateur ou a expiré/);
});

test('a wrong state is refused', async () => {
  const browser = new Browser();
  const callback = new URL(await beginSignIn(browser, 'bob'));
  callback.searchParams.set('state', 'forged-state-forged-state-forged-state-forged');
  await refused(await browser.request(callback.href), /begun in another browser or has expired/);
  // Nor may another browser finish a sign-in it did not begin (the state is bound to a cookie).
  const victim = new Browser();
  const stolen = await beginSignIn(new Browser(), 'bob');
  await refused(await victim.request(stolen), /begun in another browser/);
  assert.equal(await victim.signedInAs(), null);
});

test('a replayed callback and a replayed code are refused', async () => {
  const browser = new Browser();
  const callback = await beginSignIn(browser, 'bob');
  assert.equal((await browser.request(callback)).status, 303);
  // The same state again: used up.
  const replay = new Browser();
  replay.jar = new Map([[new URL(base).host, new Map([['cbrnhub_sso', new URL(callback).searchParams.get('state')]])]]);
  await refused(await replay.request(callback), /unknown, used or expired/);
  // The old code with a fresh state of a new sign-in: the provider refuses the code.
  const second = new Browser();
  const fresh = new URL(await beginSignIn(second, 'bob'));
  fresh.searchParams.set('code', new URL(callback).searchParams.get('code'));
  await refused(await second.request(fresh.href), /identity provider refused: invalid_grant/);
});

for (const [name, words] of [
  ['wrong-audience', /audience/], ['expired', /expired/], ['issued-in-the-future', /issued in the future/],
  ['other-key', /signature does not verify/],
  ['alg-none', /refused/], ['hs256-public-key', /only RS256 is accepted/], ['wrong-nonce', /nonce/],
  ['wrong-issuer', /issued by/],
]) {
  test(`an ID token forged as ${name} is refused`, async () => {
    const browser = new Browser();
    const callback = await beginSignIn(browser, 'bob');
    forgery = name;
    try {
      await refused(await browser.request(callback), words);
    } finally {
      forgery = '';
    }
    assert.equal(await browser.signedInAs(), null);
  });
}

test('a domain rule may never make an administrator', () => {
  const conf = path.join(work, 'bad.conf');
  fs.writeFileSync(conf, 'sso_domain_rules = evil.example=admin\n');
  const r = run(['-c', conf, '-d', `sqlite:${work}/sso.db`, 'mail', 'queue']);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /may not give the role admin/);
});
