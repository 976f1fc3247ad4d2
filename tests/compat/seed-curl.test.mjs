// The seed page's curl examples for mailservice.add (../shared/seed/mailservice.add.txt), run with
// the real curl binary exactly as written, the placeholders filled in. The only additions are
// --cacert (the server's self-signed certificate), -sS and -w to read the HTTP status.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import {
  mainServer, cli, parseWebhook, addApp, authorize, exchangeCode, record, uniqueName, TIME_KEYS,
} from './lib/server.mjs';

/** Per-test limit, so that a server that stops answering fails the test instead of hanging CI. */
const T = { timeout: 30_000 };

const execFileAsync = promisify(execFile);
const main = mainServer();

// Verbatim from the seed page ("Code Examples"): the webhook form and the OAuth form.
const SEED_WEBHOOK = String.raw`curl -X POST \
-H "Content-Type: application/json" \
-H "Accept: application/json" \
-d '{
"NAME": "My Mail Service",
"ACTIVE": "Y",
"SERVER": "imap.my-mail.com",
"PORT": 993,
"ENCRYPTION": "Y",
"LINK": "https://mail.my-mail.com/",
"SORT": 500
}' \
https://**put_your_bitrix24_address**/rest/**put_your_user_id_here**/**put_your_webhook_here**/mailservice.add`;

const SEED_OAUTH = String.raw`curl -X POST \
-H "Content-Type: application/json" \
-H "Accept: application/json" \
-d '{
"NAME": "My Mail Service",
"ACTIVE": "Y",
"SERVER": "imap.my-mail.com",
"PORT": 993,
"ENCRYPTION": "Y",
"LINK": "https://mail.my-mail.com/",
"SORT": 500,
"auth": "**put_access_token_here**"
}' \
https://**put_your_bitrix24_address**/rest/mailservice.add`;

// The seed's documented answers.
const SEED_ERROR = { error: 'ERROR_CORE', error_description: 'Access denied' };
const SEED_RECORD = {
  NAME: 'My Mail Service', SERVER: 'imap.my-mail.com', PORT: '993', ENCRYPTION: 'Y',
  LINK: 'https://mail.my-mail.com/', SORT: '500',
};

const shellQuote = (s) => `'${s.replaceAll("'", `'\\''`)}'`;

/** Fills the placeholders and runs the command with bash and the real curl. */
async function runSeed(example, fill) {
  let cmd = example;
  for (const [placeholder, value] of Object.entries(fill)) cmd = cmd.replaceAll(`**${placeholder}**`, value);
  assert.equal(cmd.includes('**'), false, 'every placeholder filled');
  cmd = cmd.replace(/^curl /, `curl --cacert ${shellQuote(main.ca)} -sS -w '\\n%{http_code}' `);
  const { stdout } = await execFileAsync('bash', ['-c', cmd], { timeout: 30_000 });
  const cut = stdout.lastIndexOf('\n');
  return { status: Number(stdout.slice(cut + 1)), body: JSON.parse(stdout.slice(0, cut)) };
}

function webhookFill(url) {
  const { host, userId, secret } = parseWebhook(url);
  return { put_your_bitrix24_address: host, put_your_user_id_here: String(userId), put_your_webhook_here: secret };
}

async function getViaWebhook(id) {
  const res = await fetch(`${main.webhook}mailservice.get?ID=${id}`);
  assert.equal(res.status, 200);
  return (await res.json()).result;
}

function assertSeedSuccess({ status, body }) {
  assert.equal(status, 200);
  assert.deepEqual(Object.keys(body), ['result', 'time']);
  assert.equal(typeof body.result, 'number');
  assert.ok(Number.isInteger(body.result) && body.result > 0);
  assert.deepEqual(Object.keys(body.time), TIME_KEYS);
  assert.match(body.time.date_start, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
  assert.match(body.time.date_finish, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
  assert.equal(Number.isInteger(body.time.operating_reset_at), true);
  return body.result;
}

const seedPath = fileURLToPath(new URL('../../../shared/seed/mailservice.add.txt', import.meta.url));
test('the embedded examples are the seed page\'s, character for character',
  { skip: !existsSync(seedPath) && 'the seed page is not next to this repository' }, () => {
    const seed = readFileSync(seedPath, 'utf8');
    assert.ok(seed.includes(SEED_WEBHOOK), 'webhook example');
    assert.ok(seed.includes(SEED_OAUTH), 'OAuth example');
  });

test('seed curl, webhook form: 200 {"result": <int>, "time": {...}} and the service stored as sent', T, async () => {
  const answer = await runSeed(SEED_WEBHOOK, webhookFill(main.webhook));
  const id = assertSeedSuccess(answer);
  assert.deepEqual(await getViaWebhook(id), record(id, SEED_RECORD));
});

test('seed curl, OAuth form with "auth" in the JSON body (token from the consent flow)', T, async () => {
  const app = await addApp(main, uniqueName('Seed curl app'));
  const { code } = await authorize(main, app.client_id);
  const { status, body: token } = await exchangeCode(main, app, code);
  assert.equal(status, 200);
  const answer = await runSeed(SEED_OAUTH, {
    put_your_bitrix24_address: new URL(main.https).host,
    put_access_token_here: token.access_token,
  });
  const id = assertSeedSuccess(answer);
  assert.deepEqual(await getViaWebhook(id), record(id, SEED_RECORD));
});

test('seed curl, webhook form as a non-administrator: 400 with the seed\'s error body exactly', T, async () => {
  const userId = await cli(main, ['user', 'add', '--name', uniqueName('Seed user')]);
  const url = await cli(main, ['webhook', 'add', '--user', userId, '--scope', 'mailservice']);
  const { status, body } = await runSeed(SEED_WEBHOOK, webhookFill(url));
  assert.equal(status, 400);
  assert.deepEqual(body, SEED_ERROR);
});
