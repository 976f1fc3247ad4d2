// Helpers for the console suite: a b24mail server of its own (the binary test.sh built, on a fresh data folder, plain
// HTTP on loopback) and Debian's chromium driven by puppeteer-core. Each test file starts one of each and stops both.

import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';

const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, '..', '..', '..');
export const screenshots = join(here, '..', 'screenshots');

/** A 1×1 PNG, which the server's image check (SkiaSharp) decodes. */
export const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

function launch(bin, args) {
  return bin.endsWith('.dll') ? ['dotnet', [bin, ...args]] : [bin, args];
}

/** Starts the server and resolves once it printed its address and bootstrap webhook. */
export async function startServer(settings = []) {
  const bin = process.env.B24MAIL_BIN ?? join(root, 'src/B24Mail.Server/bin/native/b24mail');
  const data = mkdtempSync(join(tmpdir(), 'b24mail-ui-'));
  const args = ['--data', data, '--urls', 'http://127.0.0.1:0', '--allow-http', 'true', '--rate-limit', 'false', ...settings];
  const child = spawn(...launch(bin, args), { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start:\n${output}`)), 60_000);
    const read = (chunk) => {
      output += chunk;
      const listening = output.match(/^b24mail is listening on (\S+)/m);
      const webhook = output.match(/^Webhook URL: (\S+)/m);
      if (listening && webhook) {
        clearTimeout(timer);
        resolve({ base: listening[1].replace(/,$/, ''), webhook: webhook[1] });
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('exit', (code) => reject(new Error(`the server exited (${code}):\n${output}`)));
  });
  const started = await ready;
  return {
    ...started,
    get output() { return output; },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => { if (child.exitCode !== null) resolve(); else child.on('exit', resolve); });
      rmSync(data, { recursive: true, force: true });
    },
  };
}

/**
 * The server and a browser page on its console. `problems` collects what the page must never have: a script error,
 * a Content-Security-Policy refusal, an alert (a hostile value run as code).
 */
export async function openConsole(t, settings = []) {
  const server = await startServer(settings);
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--headless=new', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  const page = await browser.newPage();
  await page.setViewport({ width: 1440, height: 900 });
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/Failed to load resource/.test(message.text())) problems.push(`console: ${message.text()}`);
  });
  page.on('dialog', async (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    await dialog.dismiss();
  });
  t.after(async () => {
    await browser.close();
    await server.stop();
  });
  return { server, browser, page, problems };
}

/** Opens a console page (a hash route) and waits until its heading is drawn. */
export async function go(page, base, hash, heading) {
  await page.goto(`${base}/${hash}`, { waitUntil: 'domcontentloaded' });
  await page.waitForFunction((h) => document.querySelector('main h1')?.textContent.startsWith(h), { timeout: 10_000 }, heading);
}

/** The status line's text once it says something. */
export async function feedback(page) {
  await page.waitForSelector('#status p', { timeout: 10_000 });
  return page.$eval('#status p', (p) => ({ text: p.textContent, ok: p.classList.contains('ok') }));
}

export async function clearFeedback(page) {
  await page.evaluate(() => document.getElementById('status').replaceChildren());
}

/** A REST call with a webhook URL (the server allows HTTP for this suite). */
export async function callWebhook(webhook, method, params = {}) {
  const response = await fetch(webhook + method, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(params) });
  return { status: response.status, body: await response.json() };
}

export function screenshotPath(name) {
  mkdirSync(screenshots, { recursive: true });
  return join(screenshots, name);
}
