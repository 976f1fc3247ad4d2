// Every page: no serious or critical axe-core finding in light and dark, no script error or policy refusal,
// keyboard focus visible, and screenshots at 390 and 1440 px under tests/ui/screenshots/.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { callWebhook, go, openConsole, screenshotPath } from './lib/console.mjs';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const pages = [
  ['overview', '#/', 'Overview'],
  ['portal', '#/portal/default', 'Portal default'],
  ['services', '#/services/default', 'Mail services'],
  ['requests', '#/requests', 'Requests'],
  ['faults', '#/faults', 'Faults'],
  ['state', '#/state', 'State'],
];

test('every page passes axe-core and is photographed at 390 and 1440 px', async (t) => {
  const { server, page, problems } = await openConsole(t, ['--clock', 'manual']);
  // Something to show: a service with a logo-less row, a journal entry, a fault rule.
  await callWebhook(server.webhook, 'mailservice.add', { NAME: 'Acme Mail', SERVER: 'imap.acme.test', PORT: 993, ENCRYPTION: 'Y', LINK: 'https://mail.acme.test/', SORT: 10 });
  await callWebhook(server.webhook, 'mailservice.add', { NAME: 'Legacy', ACTIVE: 'N', SERVER: 'imap.legacy.test' });
  await callWebhook(server.webhook, 'mailservice.list');
  await fetch(`${server.base}/_b24mail/faults`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ method: 'mailservice.delete', error: 'QUERY_LIMIT_EXCEEDED', times: 2 }) });

  for (const scheme of ['light', 'dark']) {
    await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: scheme }]);
    for (const [name, hash, heading] of pages) {
      for (const width of [1440, 390]) {
        await page.setViewport({ width, height: 900 });
        await go(page, server.base, hash, heading);
        if (name === 'requests') await page.waitForFunction(() => document.getElementById('live-state')?.textContent.startsWith('Live'));
        // axe is evaluated through the DevTools protocol: the page's own policy allows no inline script.
        await page.evaluate(axeSource);
        const found = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join('; ')})`));
        assert.deepEqual(found, [], `${name} at ${width} px, ${scheme}`);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 1, `${name} scrolls sideways at ${width} px (${overflow} px)`);
        if (scheme === 'light' || name === 'services') {
          await page.screenshot({ path: screenshotPath(`${name}-${width}${scheme === 'dark' ? '-dark' : ''}.png`), fullPage: true });
        }
      }
    }
  }
  assert.deepEqual(problems, []);
});

test('keyboard only: the skip link, visible focus, and a control reached and used with keys', async (t) => {
  const { server, page } = await openConsole(t);
  await go(page, server.base, '#/', 'Overview');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Skip to content');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, 'none');
  // Every form control has a label that names it.
  for (const [, hash, heading] of pages) {
    await go(page, server.base, hash, heading);
    const unlabelled = await page.evaluate(() => [...document.querySelectorAll('main input, main select, main textarea')]
      .filter((c) => !c.labels?.length && !c.getAttribute('aria-label')).map((c) => c.outerHTML));
    assert.deepEqual(unlabelled, [], hash);
  }
  // Tab to the Faults link and open it with Enter, from a fresh load (a page change moves focus to the content).
  await page.goto('about:blank');
  await go(page, server.base, '#/', 'Overview');
  for (let i = 0; i < 10; i += 1) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(() => document.activeElement.textContent === 'Faults')) break;
  }
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('main h1')?.textContent === 'Faults');
});

test('a client other than loopback is asked for the admin key, which goes in a header', async (t) => {
  const key = 'console-test-admin-key-0123456789';
  const { server, page } = await openConsole(t, ['--admin-key', key]);
  // A wrong key is refused with the control plane's reason, then the right one is asked for again.
  await page.goto(`${server.base}/#/`, { waitUntil: 'domcontentloaded' });
  await page.evaluate(() => sessionStorage.setItem('b24mail.adminKey', 'wrong-key-wrong-key-wrong'));
  await page.reload({ waitUntil: 'domcontentloaded' });
  await page.waitForSelector('#key-dialog[open]', { timeout: 10_000 });
  const why = await page.$eval('#key-reason', (p) => p.textContent);
  assert.match(why, /admin key is wrong/);
  await page.type('#key-input', key);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('main h1')?.textContent === 'Overview', { timeout: 10_000 });
  assert.equal(await page.evaluate(() => sessionStorage.getItem('b24mail.adminKey')), key);
  assert.ok(!page.url().includes(key));
});
