// The requests page follows the journal live: a call shows within a second, and its row opens the masked parameters.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { callWebhook, go, openConsole } from './lib/console.mjs';

test('a call appears in the journal within a second and opens with its masked details', async (t) => {
  const { server, page, problems } = await openConsole(t);
  await go(page, server.base, '#/requests', 'Requests');
  await page.waitForFunction(() => document.getElementById('live-state')?.textContent.startsWith('Live'), { timeout: 10_000 });
  const before = await page.$$eval('#journal tr', (rows) => rows.length);
  const sent = Date.now();
  await callWebhook(server.webhook, 'mailservice.get', { ID: 424242, password: 'hunter2' });
  await page.waitForFunction(
    (n) => document.querySelectorAll('#journal tr').length > n && document.querySelector('#journal tr button').textContent === 'mailservice.get',
    { timeout: 1_000, polling: 20 }, before);
  assert.ok(Date.now() - sent < 1_000);
  await page.click('#journal tr button');
  await page.waitForSelector('#request-detail pre');
  const detail = await page.$eval('#request-detail', (d) => d.textContent);
  assert.match(detail, /424242/);
  assert.match(detail, /ERROR_NOT_FOUND|not found/i);
  assert.ok(!detail.includes('hunter2'), 'a password shows masked');
  const secret = server.webhook.split('/')[5];
  assert.ok(!(await page.content()).includes(secret), 'no webhook secret in the page');

  // The filter keeps only what it names.
  await page.goto(`${server.base}/#/requests?status=200`, { waitUntil: 'domcontentloaded' });
  await page.waitForFunction(() => document.getElementById('filter-status')?.value === '200'
    && document.getElementById('live-state')?.textContent.startsWith('Live'), { timeout: 10_000 });
  const statuses = await page.$$eval('#journal tr td:nth-child(6)', (cells) => cells.map((c) => c.textContent));
  assert.ok(statuses.every((s) => s === '200'), statuses.join(' '));
  assert.deepEqual(problems, []);
});
