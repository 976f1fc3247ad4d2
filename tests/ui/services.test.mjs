// Mail services through the console: a logo the API takes and shows in mailservice.list, a file it refuses with its
// own message, and hostile values that stay text.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PNG, callWebhook, clearFeedback, feedback, go, openConsole } from './lib/console.mjs';

async function fill(page, form, label, value) {
  const id = await page.$eval(form, (f, l) => [...f.querySelectorAll('label')].find((x) => x.textContent === l).htmlFor, label);
  await page.type(`#${id}`, value);
  return id;
}

test('a service added with a logo is in mailservice.list, logo and all', async (t) => {
  const { server, page, problems } = await openConsole(t);
  await go(page, server.base, '#/services/default', 'Mail services');
  await fill(page, '#service-add', 'Name', 'Console Mail');
  await fill(page, '#service-add', 'IMAP server', 'imap.console.test');
  await fill(page, '#service-add', 'Port', '993');
  const logo = join(tmpdir(), `b24mail-ui-logo-${process.pid}.png`);
  writeFileSync(logo, PNG);
  const input = await page.$('#service-add input[type=file]');
  await input.uploadFile(logo);
  await page.waitForFunction(() => document.querySelector('#service-add img.preview')?.src.startsWith('blob:'));
  await page.click('#service-add button[type=submit]');
  const said = await feedback(page);
  assert.ok(said.ok, said.text);

  const listed = await callWebhook(server.webhook, 'mailservice.list');
  const service = listed.body.result.find((s) => s.NAME === 'Console Mail');
  assert.ok(service, JSON.stringify(listed.body));
  assert.equal(service.SERVER, 'imap.console.test');
  assert.match(service.ICON, /\/upload\/mailservice\/icon\/\d+\/[0-9a-f]{32}\//);
  await page.waitForFunction((id) => document.querySelector(`tr[data-id="${id}"] img.logo`), { timeout: 10_000 }, service.ID);
  const loaded = await page.$eval(`tr[data-id="${service.ID}"] img.logo`, (img) => img.complete && img.naturalWidth > 0);
  assert.ok(loaded, 'the logo shows in the table');
  assert.deepEqual(problems, []);
});

test('a file that is not an image is refused with the API\'s message', async (t) => {
  const { server, page } = await openConsole(t);
  await go(page, server.base, '#/services/default', 'Mail services');
  await fill(page, '#service-add', 'Name', 'With a bad logo');
  const svg = join(tmpdir(), `b24mail-ui-logo-${process.pid}.svg`);
  writeFileSync(svg, '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
  await (await page.$('#service-add input[type=file]')).uploadFile(svg);
  await clearFeedback(page);
  await page.click('#service-add button[type=submit]');
  const said = await feedback(page);
  assert.equal(said.ok, false);
  assert.match(said.text, /Invalid value for "Logo"/);
  const listed = await callWebhook(server.webhook, 'mailservice.list');
  assert.ok(!JSON.stringify(listed.body).includes('With a bad logo'));
});

test('a hostile name stays text, and a LINK is a link only for http(s)', async (t) => {
  const { server, page, problems } = await openConsole(t);
  const hostile = '<img src=x onerror=alert(1)>';
  await callWebhook(server.webhook, 'mailservice.add', { NAME: hostile, LINK: 'javascript:alert(2)' });
  await callWebhook(server.webhook, 'mailservice.add', { NAME: 'Plain', LINK: 'https://mail.example/' });
  await go(page, server.base, '#/services/default', 'Mail services');
  await page.waitForSelector('td.service-name');
  const names = await page.$$eval('td.service-name', (cells) => cells.map((c) => c.textContent));
  assert.ok(names.includes(hostile), names.join(' | '));
  assert.equal(await page.$$eval('main img[src="x"]', (images) => images.length), 0, 'the name was parsed as HTML');
  const links = await page.$$eval('main td a', (as) => as.map((a) => a.href));
  assert.ok(links.includes('https://mail.example/'));
  assert.ok(!links.some((href) => href.startsWith('javascript:')), links.join(' '));
  const text = await page.$eval('main', (m) => m.textContent);
  assert.ok(text.includes('javascript:alert(2)'), 'the refused link is still shown as text');
  assert.deepEqual(problems, []);
});
