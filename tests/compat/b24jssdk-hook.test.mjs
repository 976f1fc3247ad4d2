// @bitrix24/b24jssdk 2.2.0 as a webhook user (B24Hook) against the main server over HTTPS:
// every mailservice method, v2 batches, and errors exactly as the SDK hands them to its user.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { B24Hook, AjaxError, ApiVersion } from '@bitrix24/b24jssdk';
import {
  mainServer, cli, parseWebhook, record, uniqueName, RECORD_KEYS, TIME_KEYS, FIELDS, GMAIL,
  PNG_1X1, iconUrlPattern, fetchIcon,
} from './lib/server.mjs';

/** Per-test limit, so that a server that stops answering fails the test instead of hanging CI. */
const T = { timeout: 30_000 };

const main = mainServer();
/** @type {B24Hook} */
let b24;

/**
 * Records what the SDK really put on the wire and got back. Read from the response's config,
 * which holds the request after axios serialised it (body string, final headers).
 */
function recordTraffic(client) {
  const sent = [];
  const received = [];
  const axios = client.getHttpClient(ApiVersion.v2).ajaxClient;
  const note = (config) => sent.push({
    method: config.method,
    url: config.url,
    contentType: String(config.headers?.['Content-Type'] ?? ''),
    data: config.data,
  });
  axios.interceptors.response.use(
    (res) => { note(res.config); received.push({ status: res.status, data: res.data }); return res; },
    (err) => {
      if (err.config) note(err.config);
      received.push({ status: err.response?.status, data: err.response?.data });
      return Promise.reject(err);
    });
  return { sent, received };
}

const call = (client, method, params) => client.actions.v2.call.make({ method, params });

/** Asserts that `promise` rejects with the SDK's AjaxError carrying exactly these fields. */
async function rejectsWithAjaxError(promise, { code, description, status }) {
  await assert.rejects(promise, (err) => {
    assert.ok(err instanceof AjaxError, `expected AjaxError, got ${err?.name}: ${err?.message}`);
    assert.equal(err.name, 'AjaxError');
    assert.equal(err.code, code);
    assert.equal(err.message, description);
    assert.equal(err.status, status);
    return true;
  });
}

before(() => {
  b24 = B24Hook.fromWebhookUrl(main.webhook);
});

test('B24Hook.fromWebhookUrl accepts the server\'s webhook URL and targets it over HTTPS', T, () => {
  const { origin, userId, secret } = parseWebhook(main.webhook);
  assert.equal(b24.getTargetOrigin(), origin);
  assert.equal(b24.getTargetOriginWithPath().get(ApiVersion.v2), `${origin}/rest/${userId}/${secret}`);
});

test('B24Hook: add, get, list, update, get, delete, fields with exact values', T, async () => {
  const client = B24Hook.fromWebhookUrl(main.webhook);
  const wire = recordTraffic(client);
  const name = uniqueName('Hook IMAP');

  // add: the SDK posts JSON; the result is the new ID as a JSON number
  const added = await call(client, 'mailservice.add', {
    NAME: name,
    ACTIVE: 'Y',
    SERVER: '  IMAP.Hook-Example.COM ',
    PORT: 993,
    ENCRYPTION: 'Y',
    LINK: 'https://mail.hook-example.com/',
    SORT: 500,
  });
  assert.equal(added.isSuccess, true);
  const id = added.getData().result;
  assert.equal(typeof id, 'number');
  assert.ok(Number.isInteger(id) && id > 0, `ID ${id}`);
  assert.deepEqual(Object.keys(added.getData().time), TIME_KEYS);

  const post = wire.sent[0];
  assert.equal(post.method, 'post');
  assert.match(post.url, /\/rest\/1\/[a-z0-9]+\/mailservice\.add\?bx24_request_id=[^&]+&bx24_sdk_ver=2\.2\.0&bx24_sdk_type=b24-js-sdk$/);
  assert.equal(post.data.includes('"auth"'), false, 'a webhook call carries no auth parameter');

  // get: every value a string or null, in the documented order; SERVER trimmed and lower-cased
  const expected = record(id, {
    NAME: name,
    SERVER: 'imap.hook-example.com',
    PORT: '993',
    ENCRYPTION: 'Y',
    LINK: 'https://mail.hook-example.com/',
    SORT: '500',
  });
  const got = (await call(client, 'mailservice.get', { ID: id })).getData().result;
  assert.deepEqual(got, expected);
  assert.deepEqual(Object.keys(got), RECORD_KEYS);

  // list: the site's active services by SORT, NAME, ID, the new one included, values strings
  const list = (await call(client, 'mailservice.list', {})).getData().result;
  assert.ok(Array.isArray(list));
  assert.deepEqual(list.find((s) => s.ID === '1'), GMAIL);
  assert.deepEqual(list.find((s) => s.ID === String(id)), expected);
  for (const s of list) {
    assert.deepEqual(Object.keys(s), RECORD_KEYS);
    for (const v of Object.values(s)) assert.ok(v === null || typeof v === 'string', `value ${JSON.stringify(v)}`);
    assert.equal(s.ACTIVE, 'Y');
  }
  const sortKeys = list.map((s) => [Number(s.SORT), s.NAME, Number(s.ID)]);
  const sorted = [...sortKeys].sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0) || a[2] - b[2]);
  assert.deepEqual(sortKeys, sorted);

  // update: partial; returns true
  const updated = await call(client, 'mailservice.update', {
    ID: id, SERVER: 'IMAP2.Hook-Example.com', PORT: '143', ENCRYPTION: 'N', ACTIVE: 'N',
  });
  assert.equal(updated.getData().result, true);
  const afterUpdate = (await call(client, 'mailservice.get', { ID: id })).getData().result;
  assert.deepEqual(afterUpdate, { ...expected, SERVER: 'imap2.hook-example.com', PORT: '143', ENCRYPTION: 'N', ACTIVE: 'N' });
  // inactive now: no longer listed
  const list2 = (await call(client, 'mailservice.list', {})).getData().result;
  assert.equal(list2.some((s) => s.ID === String(id)), false);

  // fields
  const fields = await call(client, 'mailservice.fields', {});
  assert.deepEqual(fields.getData().result, FIELDS);

  // delete: true, then the service is gone
  const deleted = await call(client, 'mailservice.delete', { ID: id });
  assert.equal(deleted.getData().result, true);
  await rejectsWithAjaxError(call(client, 'mailservice.get', { ID: id }),
    { code: 'ERROR_CORE', description: 'Mail service not found', status: 400 });

  // every request of the SDK went out as POST with a JSON body
  assert.equal(wire.sent.length, 9);
  for (const req of wire.sent) {
    assert.equal(req.method, 'post');
    assert.match(req.contentType, /^application\/json/);
    assert.equal(typeof req.data, 'string');
  }
});

test('B24Hook: mailservice.update with LINK "" clears the link to null, as README promises (null does)', T, async () => {
  // README, Fields: "On update ... PORT/LINK/ICON as null or \"\" clear the value".
  const client = B24Hook.fromWebhookUrl(main.webhook);
  const name = uniqueName('Clear link');
  const id = (await call(client, 'mailservice.add', { NAME: name, PORT: 993, LINK: 'https://mail.clear.example/' })).getData().result;
  assert.equal((await call(client, 'mailservice.update', { ID: id, PORT: null, LINK: null })).getData().result, true);
  assert.deepEqual((await call(client, 'mailservice.get', { ID: id })).getData().result,
    record(id, { NAME: name, PORT: null, LINK: null }));
  await call(client, 'mailservice.update', { ID: id, PORT: 995, LINK: 'https://mail.clear.example/' });
  assert.equal((await call(client, 'mailservice.update', { ID: id, PORT: '', LINK: '' })).getData().result, true);
  assert.deepEqual((await call(client, 'mailservice.get', { ID: id })).getData().result,
    record(id, { NAME: name, PORT: null, LINK: null }));
});

test('seed\'s JavaScript example: $b24.callMethod(\'mailservice.add\', ...) then response.getData().result', T, async () => {
  const client = B24Hook.fromWebhookUrl(main.webhook);
  const warnings = [];
  const logger = {};
  for (const level of ['log', 'debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency']) {
    logger[level] = async (message) => { if (level === 'warning') warnings.push(message); };
  }
  client.setLogger(logger);
  const response = await client.callMethod('mailservice.add', {
    NAME: 'My Mail Service',
    ACTIVE: 'Y',
    SERVER: 'imap.my-mail.com',
    PORT: 993,
    ENCRYPTION: 'Y',
    LINK: 'https://mail.my-mail.com/',
    SORT: 500,
  });
  const id = response.getData().result;
  assert.equal(typeof id, 'number');
  assert.ok(warnings.some((w) => /callMethod\(\) method is deprecated/.test(w)), 'the SDK itself warns callMethod is deprecated');
  const got = (await call(client, 'mailservice.get', { ID: id })).getData().result;
  assert.deepEqual(got, record(id, {
    NAME: 'My Mail Service', SERVER: 'imap.my-mail.com', PORT: '993', ENCRYPTION: 'Y',
    LINK: 'https://mail.my-mail.com/', SORT: '500',
  }));
});

test('actions.v2.batch.make with named commands: $result[new] chains add -> get', T, async () => {
  const client = B24Hook.fromWebhookUrl(main.webhook);
  const wire = recordTraffic(client);
  const name = uniqueName('Batch IMAP');
  const response = await client.actions.v2.batch.make({
    calls: {
      new: { method: 'mailservice.add', params: { NAME: name, SERVER: 'IMAP.Batch.Example', PORT: 993, ENCRYPTION: 'Y' } },
      chk: { method: 'mailservice.get', params: { ID: '$result[new]' } },
      fld: ['mailservice.fields', {}],
    },
    options: { isHaltOnError: true },
  });
  assert.equal(response.isSuccess, true, response.getErrorMessages().join('; '));
  const data = response.getData();
  assert.deepEqual(Object.keys(data), ['new', 'chk', 'fld']);
  assert.equal(typeof data.new, 'number');
  assert.deepEqual(data.chk, record(data.new, {
    NAME: name, SERVER: 'imap.batch.example', PORT: '993', ENCRYPTION: 'Y',
  }));
  assert.deepEqual(data.fld, FIELDS);

  // what the SDK sent: one POST to batch with halt=1 and cmd as a map of "method?query" strings
  assert.equal(wire.sent.length, 1);
  assert.match(wire.sent[0].url, /\/batch\?bx24_request_id=/);
  const body = JSON.parse(wire.sent[0].data);
  assert.equal(body.halt, 1);
  assert.deepEqual(Object.keys(body.cmd), ['new', 'chk', 'fld']);
  assert.equal(body.cmd.chk, 'mailservice.get?ID=%24result%5Bnew%5D');
  // and what the server answered: the real batch envelope
  const answer = wire.received[0].data.result;
  assert.deepEqual(Object.keys(answer), ['result', 'result_error', 'result_total', 'result_next', 'result_time']);
  assert.deepEqual(answer.result_error, []);
  assert.deepEqual(Object.keys(answer.result_time), ['new', 'chk', 'fld']);
  assert.deepEqual(Object.keys(answer.result_time.chk), TIME_KEYS);
});

test('actions.v2.batch.make with list commands: results in order, $result[0] chains add -> get', T, async () => {
  const client = B24Hook.fromWebhookUrl(main.webhook);
  const name = uniqueName('List batch');
  const response = await client.actions.v2.batch.make({
    calls: [
      ['mailservice.add', { NAME: name, SERVER: 'Imap.List.Example', SORT: 900 }],
      ['mailservice.get', { ID: '$result[0]' }],
      { method: 'mailservice.get', params: { ID: 1 } },
      ['mailservice.fields', {}],
    ],
    options: { isHaltOnError: true, returnAjaxResult: true },
  });
  assert.equal(response.isSuccess, true, response.getErrorMessages().join('; '));
  const results = response.getData();
  assert.equal(results.length, 4);
  for (const r of results) assert.deepEqual(Object.keys(r.getData().time), TIME_KEYS);
  const id = results[0].getData().result;
  assert.equal(typeof id, 'number');
  assert.deepEqual(results[1].getData().result, record(id, { NAME: name, SERVER: 'imap.list.example', SORT: '900' }));
  assert.deepEqual(results[2].getData().result, GMAIL);
  assert.deepEqual(results[3].getData().result, FIELDS);
});

test('batch: a failing command comes back as an AjaxError in the result\'s errors, the others as data', T, async () => {
  const client = B24Hook.fromWebhookUrl(main.webhook);
  const response = await client.actions.v2.batch.make({
    calls: {
      ok: { method: 'mailservice.get', params: { ID: 1 } },
      bad: { method: 'mailservice.get', params: { ID: 2147483000 } },
      noname: { method: 'mailservice.add', params: { SERVER: 'imap.x.example' } },
    },
    options: { isHaltOnError: false },
  });
  assert.equal(response.isSuccess, false);
  assert.deepEqual(response.getData(), { ok: GMAIL });
  assert.deepEqual([...response.errors.keys()].sort(), ['bad', 'noname']);
  const bad = response.errors.get('bad');
  assert.ok(bad instanceof AjaxError);
  assert.equal(bad.code, 'ERROR_CORE');
  assert.equal(bad.message, 'Mail service not found');
  const noname = response.errors.get('noname');
  assert.equal(noname.code, 'ERROR_CORE');
  assert.equal(noname.message, 'Required field "Name" not filled');
});

test('B24Hook: ICON as ["name.png", base64] (single call and inside a batch); the logo is served back', T, async () => {
  const client = B24Hook.fromWebhookUrl(main.webhook);
  const { origin } = parseWebhook(main.webhook);
  const id = (await call(client, 'mailservice.add', { NAME: uniqueName('Logo'), ICON: ['logo.png', PNG_1X1] })).getData().result;
  const icon = (await call(client, 'mailservice.get', { ID: id })).getData().result.ICON;
  assert.match(icon, iconUrlPattern(origin, 'logo.png'));
  assert.deepEqual(await fetchIcon(icon), { status: 200, type: 'image/png', nosniff: 'nosniff', base64: PNG_1X1 });

  // in a batch the SDK qs-encodes the array into the command string: ICON[0]=..&ICON[1]=<base64>
  const batch = await client.actions.v2.batch.make({
    calls: {
      add: { method: 'mailservice.add', params: { NAME: uniqueName('Batch logo'), ICON: ['batch.png', PNG_1X1] } },
      get: { method: 'mailservice.get', params: { ID: '$result[add]' } },
    },
    options: { isHaltOnError: true },
  });
  assert.equal(batch.isSuccess, true, batch.getErrorMessages().join('; '));
  const batchIcon = batch.getData().get.ICON;
  assert.match(batchIcon, iconUrlPattern(origin, 'batch.png'));
  assert.equal((await fetchIcon(batchIcon)).base64, PNG_1X1);

  // not an image: refused with the Logo label
  await rejectsWithAjaxError(call(client, 'mailservice.add', { NAME: 'Bad logo', ICON: ['x.png', Buffer.from('not a png').toString('base64')] }),
    { code: 'ERROR_CORE', description: 'Invalid value for "Logo"', status: 400 });
});

test('B24Hook: app.info as a first call answers the webhook\'s scopes and the licence (docs/decisions.md #23)', T, async () => {
  // What an SDK calls first to check a webhook (the official PHP SDK's getApplicationInfo()).
  const info = (await call(b24, 'app.info', {})).getData();
  assert.deepEqual(Object.keys(info.result), ['SCOPE', 'LICENSE']);
  assert.deepEqual(info.result.SCOPE, ['mailservice']);
  assert.match(info.result.LICENSE, /^[a-z]{2}_(free|basic|std|pro|ent|project|nfr|demo)\d*$/);
  assert.deepEqual(Object.keys(info.time).sort(), [...TIME_KEYS].sort());

  // Inside a batch a webhook has no application context: the command fails, the others run.
  const batch = await b24.actions.v2.batch.make({ calls: { app: { method: 'app.info' }, me: { method: 'profile' } }, options: { isHaltOnError: false } });
  assert.equal(batch.isSuccess, false);
  const messages = batch.getErrorMessages().join('\n');
  assert.match(messages, /Application context required/);
});

test('SDK helpers on top of call: tools.healthCheck and tools.ping (server.time), actions.v2.callList', T, async (t) => {
  const client = B24Hook.fromWebhookUrl(main.webhook);
  assert.equal(await client.tools.healthCheck.make(), true);
  const ms = await client.tools.ping.make();
  assert.ok(ms >= 0, `ping ${ms}`);

  // callList pages with filter[>ID] and start=-1 while a page holds 50 rows; mailservice.list ignores
  // parameters and has no pagination, so this ends only while fewer than 50 services are active.
  const plain = (await call(client, 'mailservice.list', {})).getData().result;
  if (plain.length >= 50) return t.skip(`${plain.length} active services: callList would page forever`);
  const all = await client.actions.v2.callList.make({ method: 'mailservice.list', params: {}, idKey: 'ID' });
  assert.equal(all.isSuccess, true);
  assert.deepEqual(all.getData(), plain);
});

test('batch with halt: the server stops at the first failure; list form with a hole in the middle', T, async () => {
  const client = B24Hook.fromWebhookUrl(main.webhook);
  const halted = await client.actions.v2.batch.make({
    calls: {
      a: { method: 'mailservice.get', params: { ID: 1 } },
      b: { method: 'mailservice.get', params: { ID: 0 } },
      c: { method: 'mailservice.fields', params: {} },
    },
    options: { isHaltOnError: true },
  });
  assert.equal(halted.isSuccess, false);
  assert.deepEqual(halted.getData(), { a: GMAIL });
  assert.deepEqual([...halted.errors.keys()], ['b']);
  assert.equal(halted.errors.get('b').message, 'Mail service ID not specified');

  // without halt, list form: result is {"0":..,"2":..} on the wire, the SDK keeps order and the error
  const wire = recordTraffic(client);
  const holed = await client.actions.v2.batch.make({
    calls: [['mailservice.get', { ID: 1 }], ['mailservice.get', { ID: 2147483000 }], ['mailservice.fields', {}]],
    options: { isHaltOnError: false },
  });
  assert.deepEqual(Object.keys(wire.received[0].data.result.result), ['0', '2']);
  assert.deepEqual(wire.received[0].data.result.result_error,
    { 1: { error: 'ERROR_CORE', error_description: 'Mail service not found' } });
  assert.equal(holed.isSuccess, false);
  assert.deepEqual(holed.getData(), [GMAIL, FIELDS]);
  assert.equal(holed.errors.get('1').code, 'ERROR_CORE');
});

// ---- errors as the SDK surfaces them -----------------------------------------------------------

test('error: mailservice.get with an unknown ID throws AjaxError ERROR_CORE "Mail service not found" 400', T, async () => {
  await rejectsWithAjaxError(call(b24, 'mailservice.get', { ID: 2147483000 }),
    { code: 'ERROR_CORE', description: 'Mail service not found', status: 400 });
});

test('error: mailservice.get without ID throws ERROR_CORE "Mail service ID not specified" 400', T, async () => {
  await rejectsWithAjaxError(call(b24, 'mailservice.get', {}),
    { code: 'ERROR_CORE', description: 'Mail service ID not specified', status: 400 });
});

test('error: mailservice.add without NAME / with a bad PORT throws ERROR_CORE with the field message', T, async () => {
  await rejectsWithAjaxError(call(b24, 'mailservice.add', { SERVER: 'imap.example.com' }),
    { code: 'ERROR_CORE', description: 'Required field "Name" not filled', status: 400 });
  await rejectsWithAjaxError(call(b24, 'mailservice.add', { NAME: 'Bad port', PORT: 70000 }),
    { code: 'ERROR_CORE', description: 'Invalid value for "Port"', status: 400 });
});

test('error: a non-admin user\'s webhook may read but mailservice.add/update/delete throw "Access denied"', T, async () => {
  const userId = await cli(main, ['user', 'add', '--name', uniqueName('Plain')]);
  assert.match(userId, /^\d+$/);
  const url = await cli(main, ['webhook', 'add', '--user', userId, '--scope', 'mailservice']);
  assert.equal(parseWebhook(url).userId, Number(userId));
  const plain = B24Hook.fromWebhookUrl(url);

  assert.deepEqual((await call(plain, 'mailservice.get', { ID: 1 })).getData().result, GMAIL);
  const denied = { code: 'ERROR_CORE', description: 'Access denied', status: 400 };
  await rejectsWithAjaxError(call(plain, 'mailservice.add', { NAME: 'Not allowed' }), denied);
  await rejectsWithAjaxError(call(plain, 'mailservice.update', { ID: 1, NAME: 'Not allowed' }), denied);
  await rejectsWithAjaxError(call(plain, 'mailservice.delete', { ID: 1 }), denied);
  assert.equal((await call(b24, 'mailservice.get', { ID: 1 })).getData().result.NAME, 'gmail');
});

test('error: a webhook without the mailservice scope throws insufficient_scope 403', T, async () => {
  const url = await cli(main, ['webhook', 'add', '--user', '1', '--scope', 'user']);
  const noScope = B24Hook.fromWebhookUrl(url);
  await rejectsWithAjaxError(call(noScope, 'mailservice.list', {}), {
    code: 'insufficient_scope',
    description: 'The request requires higher privileges than provided by the webhook token',
    status: 403,
  });
  // the same credential still reaches scope-free methods
  assert.deepEqual((await call(noScope, 'scope', {})).getData().result, ['user']);
});

test('error: an unknown method throws ERROR_METHOD_NOT_FOUND 404', T, async () => {
  await rejectsWithAjaxError(call(b24, 'mailservice.nosuchmethod', {}),
    { code: 'ERROR_METHOD_NOT_FOUND', description: 'Method not found!', status: 404 });
});

test('error: a wrong webhook secret throws INVALID_CREDENTIALS 401 (no retry, no refresh)', T, async () => {
  const { origin, userId } = parseWebhook(main.webhook);
  const wrong = B24Hook.fromWebhookUrl(`${origin}/rest/${userId}/0000000000000000/`);
  const wire = recordTraffic(wrong);
  await rejectsWithAjaxError(call(wrong, 'mailservice.list', {}),
    { code: 'INVALID_CREDENTIALS', description: 'Invalid request credentials', status: 401 });
  assert.equal(wire.sent.length, 1, 'the SDK treats INVALID_CREDENTIALS as final');
});
