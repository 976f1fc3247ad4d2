// The real SDKs against fault rules set through the control plane (POST /_b24mail/faults): a forced
// 503 QUERY_LIMIT_EXCEEDED must be retried, a forced 401 expired_token must make B24OAuth refresh
// at /oauth/token/ and succeed. Each test uses an extra server of its own, so rules never leak.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { B24Hook, B24OAuth, ApiVersion } from '@bitrix24/b24jssdk';
import { Bitrix } from '@2bad/bitrix';
import { startServer, addApp, authorize, exchangeCode, oauthParams, GMAIL } from './lib/server.mjs';

const T = { timeout: 90_000 };

async function addRule(server, rule) {
  const res = await fetch(`${server.https}/_b24mail/faults`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(rule),
  });
  assert.equal(res.status, 201, await res.clone().text());
  return res.json();
}

async function fired(server, id) {
  const { rules } = await (await fetch(`${server.https}/_b24mail/faults`)).json();
  return rules.find((r) => r.id === id).fired;
}

function statuses(axios) {
  const seen = [];
  axios.interceptors.response.use(
    (res) => { seen.push({ status: res.status, data: res.data }); return res; },
    (err) => { seen.push({ status: err.response?.status, data: err.response?.data }); return Promise.reject(err); });
  return seen;
}

test('B24Hook retries a forced 503 QUERY_LIMIT_EXCEEDED and the call succeeds', T, async (t) => {
  const extra = await startServer([], { t });
  const rule = await addRule(extra, { method: 'mailservice.get', error: 'QUERY_LIMIT_EXCEEDED', times: 2 });
  const b24 = B24Hook.fromWebhookUrl(extra.webhook, { restrictionParams: { maxRetries: 5 } });
  const http = b24.getHttpClient(ApiVersion.v2);
  const seen = statuses(http.ajaxClient);

  const result = await b24.actions.v2.call.make({ method: 'mailservice.get', params: { ID: 1 } });
  assert.equal(result.isSuccess, true);
  assert.deepEqual(result.getData().result, GMAIL);
  assert.deepEqual(seen.map((s) => s.status), [503, 503, 200]);
  assert.deepEqual(seen[0].data, { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' });
  assert.equal(http.getStats().retries, 2);
  assert.equal(await fired(extra, rule.id), 2);
});

test('@2bad/bitrix retries a forced 503 QUERY_LIMIT_EXCEEDED (through got) and the call succeeds', T, async (t) => {
  const extra = await startServer([], { t });
  const rule = await addRule(extra, { method: 'mailservice.get', error: 'QUERY_LIMIT_EXCEEDED', times: 1 });
  const client = Bitrix(extra.webhook);
  let outcome;
  try {
    const answer = await client.call('mailservice.get', { ID: 1 });
    outcome = { ok: true, result: answer.result };
  } catch (err) {
    outcome = { ok: false, status: err.response?.statusCode, body: err.response?.body };
  }
  const count = await fired(extra, rule.id);
  t.diagnostic(`@2bad/bitrix after one forced 503: ${JSON.stringify({ ...outcome, fired: count })}`);
  assert.equal(count, 1);
  // got's own retry (503 is in its retry list) carries it through.
  assert.equal(outcome.ok, true, JSON.stringify(outcome));
  assert.deepEqual(outcome.result, GMAIL);
});

test('B24OAuth refreshes after a forced 401 expired_token and the call succeeds', T, async (t) => {
  const extra = await startServer([], { t });
  const secret = await addApp(extra, 'Fault refresh app');
  const redirect = await authorize(extra, secret.client_id);
  const { status, body: tok } = await exchangeCode(extra, secret, redirect.code);
  assert.equal(status, 200);
  const rule = await addRule(extra, { credential: 'oauth', method: 'mailservice.*', error: 'expired_token', times: 1 });

  const b24 = new B24OAuth(
    oauthParams(tok, { clientEndpoint: `${extra.https}/rest/`, serverEndpoint: tok.server_endpoint, expires: Math.floor(Date.now() / 1000) + 3600 }),
    { clientId: secret.client_id, clientSecret: secret.client_secret });
  const seen = statuses(b24.getHttpClient(ApiVersion.v2).ajaxClient);
  const refreshed = [];
  b24.setCallbackRefreshAuth(async ({ b24OAuthParams }) => { refreshed.push({ ...b24OAuthParams }); });

  const result = await b24.actions.v2.call.make({ method: 'mailservice.get', params: { ID: 1 } });
  assert.deepEqual(result.getData().result, GMAIL);
  assert.deepEqual(seen.map((s) => s.status), [401, 200]);
  assert.deepEqual(seen[0].data, { error: 'expired_token', error_description: 'The access token provided has expired' });
  assert.equal(refreshed.length, 1);
  assert.notEqual(refreshed[0].accessToken, tok.access_token);
  assert.equal(await fired(extra, rule.id), 1);

  // The old token was never really expired: the rule forced the answer, so it still works until its lifetime ends.
  const stale = await fetch(`${extra.https}/rest/mailservice.get?ID=1&auth=${tok.access_token}`);
  assert.equal(stale.status, 200);
});
