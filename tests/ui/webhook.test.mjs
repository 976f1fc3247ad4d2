// A webhook made on a portal's page works with the URL the page shows, which leaves the page once dismissed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { callWebhook, feedback, go, openConsole } from './lib/console.mjs';

test('a webhook created in the console answers at the URL it shows', async (t) => {
  const { server, page, problems } = await openConsole(t);
  await go(page, server.base, '#/portal/default', 'Portal default');
  const title = await page.$$eval('label', (labels) => labels.find((l) => l.textContent === 'Title').htmlFor);
  await page.type(`#${title}`, 'from the console');
  await page.click('input[name=scope][value=user]');
  await page.evaluate(() => [...document.querySelectorAll('button')].find((b) => b.textContent === 'Create webhook').click());
  const said = await feedback(page);
  assert.ok(said.ok, said.text);
  await page.waitForSelector('#new-webhook-url');
  const url = await page.$eval('#new-webhook-url', (c) => c.textContent);
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/rest\/1\/[a-z0-9]{16}\/$/);
  const answer = await callWebhook(url, 'user.current');
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.equal(String(answer.body.result.ID), '1');

  // The secret is in the page only until Done; the list never shows it.
  const secret = url.split('/')[5];
  await page.evaluate(() => [...document.querySelectorAll('#webhook-reveal button')].find((b) => b.textContent === 'Done').click());
  const html = await page.content();
  assert.ok(!html.includes(secret), 'the secret stays in the page after Done');
  assert.ok(!page.url().includes(secret));
  assert.deepEqual(problems, []);
});
