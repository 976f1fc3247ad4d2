// A fault rule added in the console makes the next call fail, and the page counts it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { callWebhook, feedback, go, openConsole } from './lib/console.mjs';

test('a fault added in the console hits the next call and is counted', async (t) => {
  const { server, page, problems } = await openConsole(t);
  await go(page, server.base, '#/faults', 'Faults');
  await page.type('#fault-method', 'server.time');
  await page.type('#fault-error', 'QUERY_LIMIT_EXCEEDED');
  await page.evaluate(() => [...document.querySelectorAll('button')].find((b) => b.textContent === 'Add rule').click());
  const said = await feedback(page);
  assert.ok(said.ok, said.text);
  const answer = await callWebhook(server.webhook, 'server.time');
  assert.equal(answer.body.error, 'QUERY_LIMIT_EXCEEDED');
  await page.evaluate(() => [...document.querySelectorAll('button')].find((b) => b.textContent === 'Refresh').click());
  await page.waitForFunction(() => document.querySelector('td.fired')?.textContent === '1', { timeout: 5_000 });

  await page.evaluate(() => [...document.querySelectorAll('tr[data-id] button')].find((b) => b.textContent === 'Remove').click());
  await page.waitForFunction(() => !document.querySelector('td.fired'), { timeout: 5_000 });
  assert.equal((await callWebhook(server.webhook, 'server.time')).status, 200);
  assert.deepEqual(problems, []);
});

test('a refused rule shows the control plane\'s reason', async (t) => {
  const { server, page } = await openConsole(t);
  await go(page, server.base, '#/faults', 'Faults');
  await page.type('#fault-error', 'NOT_A_KNOWN_ERROR');
  await page.evaluate(() => [...document.querySelectorAll('button')].find((b) => b.textContent === 'Add rule').click());
  const said = await feedback(page);
  assert.equal(said.ok, false);
  assert.match(said.text, /refused/i);
});
