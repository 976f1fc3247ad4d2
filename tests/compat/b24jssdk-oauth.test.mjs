// @bitrix24/b24jssdk 2.2.0 as an OAuth app (B24OAuth): the consent + code exchange flow, every
// mailservice method with the token in the JSON body, and the SDK's refresh-on-expired_token path
// against an extra server whose access tokens live 2 seconds.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { B24OAuth, AjaxError, ApiVersion, RefreshTokenError } from '@bitrix24/b24jssdk';
import {
  mainServer, startServer, cli, addApp, authorize, exchangeCode, issueToken, oauthParams, sleep,
  record, uniqueName, REDIRECT_URI, RECORD_KEYS, TIME_KEYS, FIELDS, GMAIL,
} from './lib/server.mjs';

/** Per-test limit, so that a server that stops answering fails the test instead of hanging CI. */
const T = { timeout: 60_000 };

const main = mainServer();
let app;   // {client_id, client_secret}
let token; // the /oauth/token/ answer of the consent flow

const call = (client, method, params) => client.actions.v2.call.make({ method, params });

function recordTraffic(client) {
  const exchanges = [];
  const axios = client.getHttpClient(ApiVersion.v2).ajaxClient;
  const note = (config, status, data) => exchanges.push({
    url: config.url, contentType: String(config.headers?.['Content-Type'] ?? ''), body: config.data, status, data,
  });
  axios.interceptors.response.use(
    (res) => { note(res.config, res.status, res.data); return res; },
    (err) => { note(err.config ?? {}, err.response?.status, err.response?.data); return Promise.reject(err); });
  return exchanges;
}

/** A client as an app builds it from the token answer: server_endpoint is the authorization server's. */
function newClient(tok, secret, { endpoint = `${main.https}/rest/`, serverEndpoint = tok.server_endpoint, expires } = {}) {
  return new B24OAuth(
    oauthParams(tok, { clientEndpoint: endpoint, serverEndpoint, expires }),
    { clientId: secret.client_id, clientSecret: secret.client_secret });
}

before(async () => {
  app = await addApp(main, uniqueName('Compat OAuth'));
  assert.match(app.client_id, /^local\./);
});

test('OAuth consent + code exchange at /oauth/token/ gives the documented token answer', T, async () => {
  const redirect = await authorize(main, app.client_id, { state: 'xyz' });
  assert.equal(`${redirect.location.origin}${redirect.location.pathname}`, REDIRECT_URI);
  assert.equal(redirect.state, 'xyz');
  assert.match(redirect.code, /^\S{16,}$/);
  assert.match(redirect.member_id, /^[0-9a-f]{32}$/);
  assert.equal(redirect.scope, 'mailservice,user');

  const { status, body } = await exchangeCode(main, app, redirect.code);
  assert.equal(status, 200);
  assert.deepEqual(Object.keys(body).sort(), [
    'access_token', 'client_endpoint', 'domain', 'expires', 'expires_in', 'member_id', 'refresh_token',
    'scope', 'server_endpoint', 'status', 'user_id',
  ]);
  assert.equal(body.client_endpoint, `${main.https}/rest/`);
  // the authorization server's own path (docs/decisions.md #25), as the cloud's is a host of its own
  assert.equal(body.server_endpoint, `${main.https}/oauth/rest/`);
  assert.equal(body.member_id, redirect.member_id);
  assert.equal(body.scope, 'mailservice,user');
  assert.equal(body.status, 'L');
  assert.equal(Number(body.user_id), 1);
  assert.equal(Number(body.expires_in), 3600);
  assert.ok(Math.abs(Number(body.expires) - (Math.floor(Date.now() / 1000) + 3600)) < 60);

  // a code is spent once exchanged
  const again = await exchangeCode(main, app, redirect.code);
  assert.equal(again.status, 400);
  assert.equal(again.body.error, 'invalid_grant');
  token = body;
});

test('B24OAuth (client and server endpoint = this server): every mailservice method', T, async () => {
  assert.ok(token, 'needs the token of the consent test');
  const b24 = newClient(token, app);
  const wire = recordTraffic(b24);
  const name = uniqueName('OAuth IMAP');

  await b24.initIsAdmin();
  assert.equal(b24.auth.isAdmin, true);

  const added = await call(b24, 'mailservice.add', {
    NAME: name, ACTIVE: 'Y', SERVER: 'IMAP.OAuth-Example.ORG', PORT: 993, ENCRYPTION: 'Y',
    LINK: 'https://mail.oauth-example.org/', SORT: 450,
  });
  const id = added.getData().result;
  assert.equal(typeof id, 'number');
  assert.deepEqual(Object.keys(added.getData().time), TIME_KEYS);

  const expected = record(id, {
    NAME: name, SERVER: 'imap.oauth-example.org', PORT: '993', ENCRYPTION: 'Y',
    LINK: 'https://mail.oauth-example.org/', SORT: '450',
  });
  const got = (await call(b24, 'mailservice.get', { ID: id })).getData().result;
  assert.deepEqual(got, expected);
  assert.deepEqual(Object.keys(got), RECORD_KEYS);

  const list = (await call(b24, 'mailservice.list', {})).getData().result;
  assert.deepEqual(list.find((s) => s.ID === '1'), GMAIL);
  assert.deepEqual(list.find((s) => s.ID === String(id)), expected);

  assert.equal((await call(b24, 'mailservice.update', { ID: id, NAME: `${name} 2`, SORT: 0 })).getData().result, true);
  assert.deepEqual((await call(b24, 'mailservice.get', { ID: id })).getData().result,
    { ...expected, NAME: `${name} 2`, SORT: '0' });

  assert.deepEqual((await call(b24, 'mailservice.fields', {})).getData().result, FIELDS);

  const batch = await b24.actions.v2.batch.make({
    calls: {
      new: { method: 'mailservice.add', params: { NAME: `${name} batch`, SERVER: 'Imap.B.Example' } },
      chk: { method: 'mailservice.get', params: { ID: '$result[new]' } },
    },
    options: { isHaltOnError: true },
  });
  assert.equal(batch.isSuccess, true, batch.getErrorMessages().join('; '));
  assert.deepEqual(batch.getData().chk, record(batch.getData().new, { NAME: `${name} batch`, SERVER: 'imap.b.example' }));

  assert.equal((await call(b24, 'mailservice.delete', { ID: id })).getData().result, true);
  await assert.rejects(call(b24, 'mailservice.get', { ID: id }), (err) => {
    assert.ok(err instanceof AjaxError);
    assert.equal(err.code, 'ERROR_CORE');
    assert.equal(err.message, 'Mail service not found');
    assert.equal(err.status, 400);
    return true;
  });

  // on the wire: POST <client_endpoint>/<method>, JSON body carrying auth=<access token>
  assert.equal(wire.length, 10);
  for (const x of wire) {
    assert.ok(x.url.startsWith(`${main.https}/rest//`), x.url);
    assert.match(x.contentType, /^application\/json/);
    assert.equal(JSON.parse(x.body).auth, token.access_token);
  }
  assert.match(wire[0].url, /\/rest\/\/profile\?bx24_request_id=/);
});

test('B24OAuth over plain HTTP (OAuth is allowed without TLS): list and add', T, async () => {
  const tok = await issueToken(main, app.client_id, 1);
  const b24 = newClient(tok, app, { endpoint: `${main.http}/rest/` });
  const list = (await call(b24, 'mailservice.list', {})).getData().result;
  assert.deepEqual(list.find((s) => s.ID === '1'), GMAIL);
  const id = (await call(b24, 'mailservice.add', { NAME: uniqueName('Over HTTP') })).getData().result;
  assert.equal(typeof id, 'number');
});

test('B24OAuth refreshes after 401 expired_token and retries (access tokens live 2 s)', T, async (t) => {
  const extra = await startServer(['--access-token-lifetime', '2'], { t });
  const secret = await addApp(extra, 'Refresh app');
  const redirect = await authorize(extra, secret.client_id);
  const { status, body: tok } = await exchangeCode(extra, secret, redirect.code);
  assert.equal(status, 200);
  assert.equal(Number(tok.expires_in), 2);

  // expires far in the future, so the SDK never refreshes on its own before a call
  const b24 = newClient(tok, secret, { endpoint: `${extra.https}/rest/`, expires: Math.floor(Date.now() / 1000) + 3600 });
  const wire = recordTraffic(b24);
  const refreshed = [];
  b24.setCallbackRefreshAuth(async ({ authData, b24OAuthParams }) => {
    refreshed.push({ authData, b24OAuthParams: { ...b24OAuthParams } });
  });

  assert.deepEqual((await call(b24, 'mailservice.get', { ID: 1 })).getData().result, GMAIL);
  assert.equal(refreshed.length, 0);

  await sleep(2_500);
  // the server really considers the old token expired now
  const stale = await fetch(`${extra.https}/rest/mailservice.get?ID=1&auth=${tok.access_token}`);
  assert.equal(stale.status, 401);
  assert.deepEqual(await stale.json(),
    { error: 'expired_token', error_description: 'The access token provided has expired' });

  const list = (await call(b24, 'mailservice.list', {})).getData().result;
  assert.deepEqual(list.find((s) => s.ID === '1'), GMAIL);

  // the SDK got 401 expired_token, refreshed once at <server_endpoint without /rest/>/oauth/token/ (that is
  // /oauth/oauth/token/ here), and retried with the new token
  assert.equal(refreshed.length, 1);
  const fresh = refreshed[0].b24OAuthParams;
  assert.notEqual(fresh.accessToken, tok.access_token);
  assert.notEqual(fresh.refreshToken, tok.refresh_token);
  assert.equal(refreshed[0].authData.access_token, fresh.accessToken);
  assert.equal(fresh.expiresIn, 2);
  assert.equal(fresh.clientEndpoint, `${extra.https}/rest/`);
  assert.equal(fresh.serverEndpoint, `${extra.https}/oauth/rest/`);
  assert.equal(fresh.scope, 'mailservice,user');
  const lastTwo = wire.slice(-2);
  assert.equal(lastTwo[0].status, 401);
  assert.equal(lastTwo[0].data.error, 'expired_token');
  assert.equal(JSON.parse(lastTwo[0].body).auth, tok.access_token);
  assert.equal(lastTwo[1].status, 200);
  assert.equal(JSON.parse(lastTwo[1].body).auth, fresh.accessToken);

  // the refresh spent the old refresh token
  const reuse = await fetch(`${extra.https}/oauth/token/`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'refresh_token', client_id: secret.client_id, client_secret: secret.client_secret,
      refresh_token: tok.refresh_token,
    }),
  });
  assert.equal(reuse.status, 400);
  assert.equal((await reuse.json()).error, 'invalid_grant');
});

test('B24OAuth refreshes before the call when its `expires` has passed (proactive refresh)', T, async () => {
  const tok = await issueToken(main, app.client_id, 1);
  const b24 = newClient(tok, app, { expires: Math.floor(Date.now() / 1000) - 10 });
  const wire = recordTraffic(b24);
  const refreshed = [];
  b24.setCallbackRefreshAuth(async ({ b24OAuthParams }) => { refreshed.push({ ...b24OAuthParams }); });
  assert.deepEqual((await call(b24, 'mailservice.get', { ID: 1 })).getData().result, GMAIL);
  assert.equal(refreshed.length, 1);
  assert.notEqual(refreshed[0].accessToken, tok.access_token);
  assert.ok(Math.abs(refreshed[0].expires - (Math.floor(Date.now() / 1000) + 3600)) < 60);
  assert.equal(refreshed[0].status, 'L');
  assert.equal(wire.length, 1, 'no failed call first');
  assert.equal(JSON.parse(wire[0].body).auth, refreshed[0].accessToken);
});

test('B24OAuth with an unknown access token: 401 invalid_token, the SDK refreshes and retries', T, async () => {
  const tok = await issueToken(main, app.client_id, 1);
  const b24 = newClient({ ...tok, access_token: 'no-such-token' }, app);
  const wire = recordTraffic(b24);
  let refreshes = 0;
  b24.setCallbackRefreshAuth(async () => { refreshes++; });
  assert.deepEqual((await call(b24, 'mailservice.get', { ID: 1 })).getData().result, GMAIL);
  assert.equal(refreshes, 1);
  assert.deepEqual(wire.map((x) => x.status), [401, 200]);
  assert.deepEqual(wire[0].data, { error: 'invalid_token', error_description: 'The access token provided is invalid' });
});

test('B24OAuth whose refresh token is refused: the call fails with the server\'s invalid_grant text', T, async () => {
  const tok = await issueToken(main, app.client_id, 1);
  const b24 = newClient({ ...tok, access_token: 'no-such-token', refresh_token: 'no-such-refresh' }, app);
  await assert.rejects(call(b24, 'mailservice.list', {}), (err) => {
    // the SDK wraps the RefreshTokenError from /oauth/token/ into an AjaxError of its own
    assert.ok(err instanceof AjaxError);
    assert.equal(err.code, 'JSSDK_UNKNOWN_ERROR');
    assert.equal(err.message, 'Invalid refresh token');
    assert.ok(err.originalError instanceof RefreshTokenError);
    assert.equal(err.originalError.code, 'invalid_grant');
    assert.equal(err.originalError.status, 400);
    return true;
  });
});

test('B24OAuth with an app lacking the mailservice scope: insufficient_scope 403 ("...access token")', T, async () => {
  const userOnly = await addApp(main, uniqueName('User-only app'), 'user');
  const b24 = newClient(await issueToken(main, userOnly.client_id, 1), userOnly);
  await assert.rejects(call(b24, 'mailservice.list', {}), (err) => {
    assert.ok(err instanceof AjaxError);
    assert.deepEqual([err.code, err.message, err.status],
      ['insufficient_scope', 'The request requires higher privileges than provided by the access token', 403]);
    return true;
  });
});

test('a token issued by `token issue` works with B24OAuth too', T, async () => {
  const tok = await issueToken(main, app.client_id, 1);
  assert.equal(tok.client_endpoint, `${main.https}/rest/`);
  const b24 = newClient(tok, app);
  assert.deepEqual((await call(b24, 'mailservice.get', { ID: 1 })).getData().result, GMAIL);
  // an OAuth app of a non-admin user reads but may not write
  const userId = await cli(main, ['user', 'add', '--name', uniqueName('App user')]);
  const plain = newClient(await issueToken(main, app.client_id, userId), app);
  await plain.initIsAdmin();
  assert.equal(plain.auth.isAdmin, false);
  await assert.rejects(call(plain, 'mailservice.add', { NAME: 'Not allowed' }), (err) => {
    assert.ok(err instanceof AjaxError);
    assert.deepEqual([err.code, err.message, err.status], ['ERROR_CORE', 'Access denied', 400]);
    return true;
  });
});
