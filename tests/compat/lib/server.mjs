// Helpers for the compatibility suite: the main server that test.sh started, extra servers with
// their own settings, the server's script commands, and the OAuth consent/exchange flow.
// Nothing here talks to a Bitrix24 client library: the tests drive the real clients themselves.

import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function requireEnv(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run the suite through test.sh (or export what test.sh exports)`);
  }
  return value;
}

/** Splits a webhook URL `https://host:port/rest/USER/SECRET/` into its parts. */
export function parseWebhook(url) {
  const u = new URL(url);
  const m = u.pathname.match(/^\/rest\/(\d+)\/([a-z0-9]+)\/?$/);
  if (!m) throw new Error(`not a webhook URL: ${u.origin}/rest/...`);
  return { origin: u.origin, host: u.host, userId: Number(m[1]), secret: m[2] };
}

/**
 * How to launch the server: test.sh gives the native binary `dotnet publish` built, or (where that
 * could not be built) the framework-dependent b24mail.dll, which runs under `dotnet`.
 */
function launch(bin, args) {
  return bin.endsWith('.dll') ? ['dotnet', [bin, ...args]] : [bin, args];
}

/** The server test.sh started: `--rate-limit false`, fresh data folder, admin webhook of user 1. */
export function mainServer() {
  return {
    bin: requireEnv('B24MAIL_BIN'),
    data: requireEnv('B24_DATA'),
    webhook: requireEnv('B24_WEBHOOK'),
    https: requireEnv('B24_HTTPS'),
    http: requireEnv('B24_HTTP'),
    ca: requireEnv('NODE_EXTRA_CA_CERTS'),
    pfx: requireEnv('B24_TLS_PFX'),
  };
}

/**
 * Runs one of the server's script commands against a server's data folder and returns its stdout,
 * trimmed. `--url` makes printed URLs point at that server.
 */
export async function cli(server, args) {
  const full = [...args, '--data', server.data];
  if (!args.includes('--url') && server.https) full.push('--url', server.https);
  try {
    const { stdout } = await execFileAsync(...launch(server.bin, full), { timeout: 60_000 });
    return stdout.trim();
  } catch (err) {
    throw new Error(`b24mail ${args.join(' ')} failed: ${err.stderr || err.message}`);
  }
}

// Every extra server still running; killed on process exit whatever happens.
const running = new Set();
process.on('exit', () => {
  for (const s of running) s.killNow();
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    for (const s of running) s.killNow();
    process.exit(130);
  });
}

/**
 * Starts an extra server on a fresh data folder with the main server's certificate and the given
 * settings (e.g. ['--access-token-lifetime', '2']). Resolves once it printed its webhook URL.
 * If `t` (a test context or the file's `after` hook registrar) is given, the server is stopped
 * after it; it is in any case killed when the process exits.
 */
export async function startServer(settings = [], { t, timeoutMs = 60_000 } = {}) {
  const main = mainServer();
  const data = mkdtempSync(join(tmpdir(), 'b24mail-compat-'));
  const args = [
    '--data', data,
    '--urls', 'https://127.0.0.1:0;http://127.0.0.1:0',
    '--tls-cert', main.pfx,
    ...settings,
  ];
  const child = spawn(...launch(main.bin, args), { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let exited = false;
  let removed = false;
  const removeData = () => {
    if (removed) return;
    removed = true;
    try { rmSync(data, { recursive: true, force: true }); } catch { /* best effort */ }
  };
  const exitPromise = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exited = true;
      running.delete(handle);
      resolve({ code, signal });
    });
  });

  const handle = {
    bin: main.bin,
    data,
    ca: main.ca,
    pfx: main.pfx,
    https: '',
    http: '',
    webhook: '',
    get output() { return output; },
    killNow() {
      if (!exited) { try { child.kill('SIGKILL'); } catch { /* gone */ } }
      removeData();
    },
    async stop() {
      if (!exited) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => { if (!exited) child.kill('SIGKILL'); }, 5_000);
        await exitPromise;
        clearTimeout(timer);
      }
      removeData();
    },
  };
  running.add(handle);
  if (t) t.after(() => handle.stop());

  try {
    await new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`extra server not ready after ${timeoutMs} ms:\n${output}`)),
        timeoutMs);
      const onData = (chunk) => {
        output += chunk.toString();
        if (output.length > 200_000) output = output.slice(-100_000);
        const listening = output.match(/^b24mail is listening on (.+)$/m);
        const webhook = output.match(/^Webhook URL: (\S+)/m);
        if (listening && webhook && !handle.webhook) {
          const urls = listening[1].split(',').map((s) => s.trim());
          handle.https = urls.find((u) => u.startsWith('https://'));
          handle.http = urls.find((u) => u.startsWith('http://'));
          handle.webhook = webhook[1];
          clearTimeout(timer);
          resolve();
        }
      };
      // Keep draining both pipes for the server's whole life so it never blocks on a full pipe.
      child.stdout.on('data', onData);
      child.stderr.on('data', (chunk) => { output += chunk.toString(); });
      child.on('error', (err) => { clearTimeout(timer); reject(err); });
      exitPromise.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`extra server exited (${code ?? signal}) before it was ready:\n${output}`));
      });
    });
  } catch (err) {
    await handle.stop();
    throw err;
  }
  return handle;
}

// ---- OAuth -------------------------------------------------------------------------------------

export const REDIRECT_URI = 'https://app.example/callback';

/** Installs an OAuth app with `app add`; returns {client_id, client_secret}. */
export async function addApp(server, name, scope = 'mailservice,user') {
  return JSON.parse(await cli(server, ['app', 'add', '--name', name, '--scope', scope, '--redirect-uri', REDIRECT_URI]));
}

/** Token pair from `token issue` (no consent page). */
export async function issueToken(server, clientId, userId = 1) {
  return JSON.parse(await cli(server, ['token', 'issue', '--app', clientId, '--user', String(userId)]));
}

/**
 * The consent step as a script does it: GET /oauth/authorize/ with approve=Y answers 302 to the
 * app's redirect URI; returns that URL's query as an object (code, state, domain, member_id, ...).
 */
export async function authorize(server, clientId, { state = 'compat', userId = 1 } = {}) {
  const url = `${server.https}/oauth/authorize/?client_id=${encodeURIComponent(clientId)}`
    + `&state=${encodeURIComponent(state)}&user_id=${userId}&approve=Y`;
  const res = await fetch(url, { redirect: 'manual' });
  await res.arrayBuffer();
  if (res.status !== 302) throw new Error(`authorize answered ${res.status}, not 302`);
  const location = new URL(res.headers.get('location'));
  return { location, ...Object.fromEntries(location.searchParams) };
}

/** Exchanges a code at /oauth/token/ (POST form, as apps do); returns {status, body}. */
export async function exchangeCode(server, app, code) {
  const res = await fetch(`${server.https}/oauth/token/`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: app.client_id,
      client_secret: app.client_secret,
      code,
    }),
  });
  return { status: res.status, body: await res.json() };
}

/** B24OAuth's first argument, built from a /oauth/token/ answer. */
export function oauthParams(token, { clientEndpoint, serverEndpoint, expires } = {}) {
  return {
    applicationToken: '',
    userId: Number(token.user_id),
    memberId: token.member_id,
    accessToken: token.access_token,
    refreshToken: token.refresh_token,
    expires: expires ?? Number(token.expires),
    expiresIn: Number(token.expires_in),
    scope: token.scope,
    domain: token.domain,
    clientEndpoint: clientEndpoint ?? token.client_endpoint,
    serverEndpoint: serverEndpoint ?? token.server_endpoint,
    status: token.status,
  };
}

// ---- small shared helpers ----------------------------------------------------------------------

/** Key order every read returns (docs/decisions.md #10). */
export const RECORD_KEYS = [
  'ID', 'SITE_ID', 'ACTIVE', 'SORT', 'NAME', 'SERVER', 'PORT', 'ENCRYPTION', 'LINK', 'ICON',
  'SMTP_SERVER', 'SMTP_PORT', 'SMTP_LOGIN_AS_IMAP', 'SMTP_PASSWORD_AS_IMAP', 'SMTP_ENCRYPTION',
  'UPLOAD_OUTGOING',
];

/** The eight fields of every success's `time` block. */
export const TIME_KEYS = [
  'start', 'finish', 'duration', 'processing', 'date_start', 'date_finish', 'operating_reset_at', 'operating',
];

/** What `mailservice.fields` returns. */
export const FIELDS = {
  ID: 'ID',
  SITE_ID: 'Site',
  ACTIVE: 'Activity',
  NAME: 'Name',
  SERVER: 'Server Address',
  PORT: 'Port',
  ENCRYPTION: 'Secure Connection',
  LINK: 'Web Interface Address',
  ICON: 'Logo',
  SORT: 'Sorting',
};

/** A full record as get/list return it, every value a string or null. */
export function record(id, fields) {
  return {
    ID: String(id),
    SITE_ID: 's1',
    ACTIVE: 'Y',
    SORT: '100',
    NAME: '',
    SERVER: '',
    PORT: null,
    ENCRYPTION: 'N',
    LINK: null,
    ICON: null,
    SMTP_SERVER: null,
    SMTP_PORT: null,
    SMTP_LOGIN_AS_IMAP: 'N',
    SMTP_PASSWORD_AS_IMAP: 'N',
    SMTP_ENCRYPTION: null,
    UPLOAD_OUTGOING: null,
    ...fields,
  };
}

/** The gmail preset (ID 1 on a fresh portal). */
export const GMAIL = record(1, {
  NAME: 'gmail', SERVER: 'imap.gmail.com', PORT: '993', ENCRYPTION: 'Y', LINK: 'https://mail.google.com/',
});

/** A 1×1 PNG, base64 (a real image: the server decodes logos in full). */
export const PNG_1X1 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

/** Where get/list say a logo is served: https://host/upload/mailservice/icon/{fileId}/{key}/{name}. */
export function iconUrlPattern(origin, name) {
  const escaped = `${origin}/upload/mailservice/icon/`.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  return new RegExp(`^${escaped}(\\d+)/[0-9a-f]{16,}/${name.replace('.', '\\.')}$`);
}

/** Fetches a logo URL and checks it serves exactly `base64` as `type`. */
export async function fetchIcon(url) {
  const res = await fetch(url);
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    nosniff: res.headers.get('x-content-type-options'),
    base64: Buffer.from(await res.arrayBuffer()).toString('base64'),
  };
}

/** A name no earlier run used, so the suite also passes against a reused data folder. */
export function uniqueName(prefix) {
  return `${prefix} ${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}
