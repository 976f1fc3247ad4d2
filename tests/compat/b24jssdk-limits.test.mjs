// @bitrix24/b24jssdk 2.2.0 against the server's rate limit: an extra server with a tiny leaky
// bucket (3 requests, draining 4 per second) answers 503 QUERY_LIMIT_EXCEEDED, and the SDK's own
// retry policy must carry every call through.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { B24Hook, ApiVersion } from '@bitrix24/b24jssdk';
import { startServer, GMAIL, record } from './lib/server.mjs';

/** Per-test limit, so that a server that stops answering fails the test instead of hanging CI. */
const T = { timeout: 90_000 };

test('B24Hook retries after 503 QUERY_LIMIT_EXCEEDED until all 10 concurrent calls succeed', T, async (t) => {
  const extra = await startServer(
    ['--rate-limit', 'true', '--rate-limit-burst', '3', '--rate-limit-per-second', '4'], { t });

  // The SDK's own limiter is set far looser than the server's, so the server does the limiting;
  // more attempts than the default 3, since 10 calls against a bucket of 3 need several rounds.
  const b24 = B24Hook.fromWebhookUrl(extra.webhook, {
    restrictionParams: {
      rateLimit: { burstLimit: 1000, drainRate: 1000, adaptiveEnabled: false },
      maxRetries: 8,
    },
  });
  const http = b24.getHttpClient(ApiVersion.v2);
  const answers = [];
  http.ajaxClient.interceptors.response.use(
    (res) => { answers.push({ status: res.status }); return res; },
    (err) => { answers.push({ status: err.response?.status, data: err.response?.data }); return Promise.reject(err); });

  const ids = [1, 2, 3, 4, 5, 6, 7, 8, 1, 2];
  const started = Date.now();
  const results = await Promise.all(
    ids.map((id) => b24.actions.v2.call.make({ method: 'mailservice.get', params: { ID: id } })));
  const elapsed = Date.now() - started;

  // every call finally succeeded with the right record
  assert.equal(results.length, 10);
  results.forEach((r, i) => {
    assert.equal(r.isSuccess, true);
    assert.equal(r.getData().result.ID, String(ids[i]));
  });
  assert.deepEqual(results[0].getData().result, GMAIL);

  // ... after the server refused some of them with 503 QUERY_LIMIT_EXCEEDED
  const refused = answers.filter((a) => a.status === 503);
  const served = answers.filter((a) => a.status === 200);
  assert.equal(served.length, 10);
  assert.ok(refused.length >= 1, `expected at least one 503, saw statuses ${answers.map((a) => a.status)}`);
  for (const r of refused) {
    assert.deepEqual(r.data, { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' });
  }
  // only the server limited: the SDK's own limiter never blocked, and it counted its retries
  const stats = http.getStats();
  assert.equal(stats.retries, refused.length);
  assert.ok(elapsed >= 900, `retries wait about a second (${elapsed} ms)`);
  t.diagnostic(`${refused.length} answers were 503, all 10 calls succeeded in ${elapsed} ms`);

  // A plain request burst shows the server's own answer: 503 with the documented body, nothing run.
  const burst = await Promise.all(Array.from({ length: 6 }, () => fetch(`${extra.webhook}mailservice.add`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ NAME: 'Burst' }),
  }).then(async (res) => ({ status: res.status, body: await res.json() }))));
  const burstRefused = burst.filter((b) => b.status === 503);
  const burstServed = burst.filter((b) => b.status === 200);
  assert.ok(burstRefused.length >= 1, `statuses ${burst.map((b) => b.status)}`);
  assert.equal(burstRefused.length + burstServed.length, 6);
  for (const b of burstRefused) {
    assert.deepEqual(b.body, { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' });
  }
  // exactly the served adds were stored
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const list = await b24.actions.v2.call.make({ method: 'mailservice.list', params: {} });
  const stored = list.getData().result.filter((s) => s.NAME === 'Burst');
  assert.equal(stored.length, burstServed.length);
  for (const s of stored) assert.deepEqual(s, record(s.ID, { NAME: 'Burst' }));
});
