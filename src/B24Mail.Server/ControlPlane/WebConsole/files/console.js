// The b24mail console: a client of the control plane's API (/_b24mail/...) and nothing else.
// Every value from the server is written with textContent or as an attribute, never parsed as HTML,
// so a service called <img src=x onerror=alert(1)> shows as that text; the page's policy forbids inline script anyway.

const KEY = 'b24mail.adminKey';
const API = '/_b24mail';
const SCOPES = ['mailservice', 'user', 'user_basic', 'user_brief'];
const main = document.getElementById('main');
const statusBox = document.getElementById('status');

/** Aborts what the page on screen started (the live journal) when another page is opened. */
let leaving = new AbortController();
/** Each render gets a number; an answer arriving for an older one is dropped. */
let renderId = 0;

// ---------------------------------------------------------------------------------------------------------------
// Building the page

/** An element with attributes (strings), listeners (on: {event: fn}) and children (nodes, or strings as text). */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'on') {
      for (const [event, handler] of Object.entries(value)) node.addEventListener(event, handler);
    } else if (name === 'class') {
      node.className = value;
    } else if (name === 'checked' || name === 'value' || name === 'selected' || name === 'disabled') {
      node[name] = value;
    } else {
      node.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

let fieldCount = 0;

/** A labelled input: every control has a label its text names. */
function field(label, attrs = {}, extra = {}) {
  const id = attrs.id ?? `f${++fieldCount}`;
  const input = attrs.type === 'select' ? el('select', { ...attrs, type: undefined, id }) : el('input', { type: 'text', ...attrs, id });
  if (attrs.type === 'select') {
    for (const [value, text] of extra.options ?? []) input.append(el('option', { value, selected: value === extra.selected }, text));
  }
  const box = el('div', { class: extra.wide ? 'wide' : undefined }, el('label', { for: id }, label), input);
  return { box, input };
}

function checkbox(label, attrs = {}) {
  const id = attrs.id ?? `f${++fieldCount}`;
  const input = el('input', { type: 'checkbox', ...attrs, id });
  return { box: el('div', {}, el('label', { class: 'check', for: id }, input, label)), input };
}

function scopeBoxes(legend, checked = ['mailservice']) {
  const inputs = SCOPES.map((scope) => el('input', { type: 'checkbox', value: scope, checked: checked.includes(scope), name: 'scope' }));
  const set = el('fieldset', { class: 'wide' }, el('legend', {}, legend), inputs.map((input, i) => el('label', {}, input, SCOPES[i])));
  return { box: set, chosen: () => inputs.filter((i) => i.checked).map((i) => i.value) };
}

function button(text, onClick, cls) {
  return el('button', { type: 'button', class: cls, on: { click: onClick } }, text);
}

function table(headers, rows, caption) {
  // Focusable, so a table wider than a phone can be scrolled with the keyboard.
  return el('div', { class: 'table-wrap', tabindex: '0' },
    el('table', {},
      caption ? el('caption', { class: 'muted' }, caption) : null,
      el('thead', {}, el('tr', {}, headers.map((h) => el('th', { scope: 'col' }, h)))),
      labelled(el('tbody', {}, rows), headers)));
}

/** Names each cell after its column, which a narrow screen shows beside the value when rows stack as cards. */
function labelled(body, headers) {
  for (const row of body.rows) [...row.cells].forEach((cell, i) => cell.setAttribute('data-label', headers[i] ?? ''));
  return body;
}

function panel(title, ...children) {
  const id = `h${++fieldCount}`;
  return el('section', { class: 'panel', 'aria-labelledby': id }, el('h2', { id }, title), ...children);
}

function yes(flag) {
  return flag ? 'yes' : 'no';
}

/** A LINK becomes a link only for http and https; anything else (javascript:, data:) stays text. */
function linkOrText(value) {
  if (!value) return '';
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return el('a', { href: url.href, rel: 'noopener noreferrer', target: '_blank' }, value);
  } catch {
    // Not a URL: shown as text.
  }
  return value;
}

// ---------------------------------------------------------------------------------------------------------------
// Feedback

function say(text, ok = true) {
  statusBox.replaceChildren(el('p', { class: ok ? 'ok' : 'bad', role: ok ? undefined : 'alert' }, text));
}

/** Runs an action and tells how it went: its own message on success, the server's reason on refusal. */
async function act(action, success) {
  try {
    const result = await action();
    if (success) say(typeof success === 'function' ? success(result) : success, true);
    // A change answered with no body (204) succeeded all the same; undefined is kept for a refusal.
    return result ?? true;
  } catch (error) {
    say(error.message, false);
    return undefined;
  }
}

async function copy(text, what) {
  try {
    await navigator.clipboard.writeText(text);
    say(`${what} copied.`);
  } catch {
    say(`${what} could not be copied here; select it and copy it yourself.`, false);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The control plane's API

class Refused extends Error {}

function headers(json) {
  const h = { Accept: 'application/json' };
  const key = sessionStorage.getItem(KEY);
  if (key) h.Authorization = `Bearer ${key}`;
  if (json) h['Content-Type'] = 'application/json';
  return h;
}

/** The reason a problem answer gives: its detail and each refused value with its place. */
function reason(status, data) {
  if (data && typeof data === 'object' && data.detail) {
    const errors = Array.isArray(data.errors) ? data.errors.map((e) => `${e.path}: ${e.message}`) : [];
    return [data.detail, ...errors].join(' ');
  }
  return `The server answered ${status}.`;
}

/** A control-plane call; `restAnswer` takes a REST error envelope ({error, error_description}) as the answer it is. */
async function api(method, path, body, restAnswer = false) {
  const write = method !== 'GET' && method !== 'DELETE';
  const response = await fetch(API + path, {
    method,
    headers: headers(write),
    body: write ? (typeof body === 'string' ? body : JSON.stringify(body ?? {})) : undefined,
    cache: 'no-store',
  });
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = text;
  }
  if (response.status === 401) {
    if (await askForKey(reason(401, data))) return api(method, path, body, restAnswer);
    throw new Refused(reason(401, data));
  }
  if (restAnswer && data && typeof data === 'object' && 'error_description' in data) return data;
  if (!response.ok) throw new Refused(reason(response.status, data));
  return data;
}

/** A REST method run as the portal's administrator through the same dispatcher as /rest/: the REST answer as is. */
async function rest(portal, method, params = {}) {
  const answer = await api('POST', `/portals/${encodeURIComponent(portal)}/call/${encodeURIComponent(method)}`, params, true);
  if (answer && answer.error) throw new Refused(`${answer.error}: ${answer.error_description}`);
  return answer.result;
}

const keyDialog = document.getElementById('key-dialog');
let keyWaiting = null;

/** Asks for the admin key (kept in sessionStorage: this tab only); resolves true when one was given. */
function askForKey(why) {
  if (keyWaiting) return keyWaiting;
  document.getElementById('key-reason').textContent = why;
  const input = document.getElementById('key-input');
  input.value = '';
  keyWaiting = new Promise((resolve) => {
    const form = document.getElementById('key-form');
    const done = (given) => {
      form.removeEventListener('submit', submit);
      cancel.removeEventListener('click', dismiss);
      keyDialog.close();
      keyWaiting = null;
      resolve(given);
    };
    const submit = (event) => {
      event.preventDefault();
      sessionStorage.setItem(KEY, input.value.trim());
      done(true);
    };
    const dismiss = () => done(false);
    const cancel = document.getElementById('key-cancel');
    form.addEventListener('submit', submit);
    cancel.addEventListener('click', dismiss);
    keyDialog.showModal();
    input.focus();
  });
  return keyWaiting;
}

// ---------------------------------------------------------------------------------------------------------------
// Pages

function page(title, ...children) {
  document.title = `${title} · b24mail console`;
  main.replaceChildren(el('h1', {}, title), ...children);
}

function formatUptime(seconds) {
  const s = Math.floor(seconds);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return [d ? `${d} d` : '', h ? `${h} h` : '', `${m} min`, `${s % 60} s`].filter(Boolean).join(' ');
}

/** The webhook URL with its secret hidden, for the overview until Show is pressed. */
function maskWebhook(url) {
  return url.replace(/\/rest\/(\d+)\/[^/]+\//, '/rest/$1/****/');
}

async function overview(id) {
  const info = await api('GET', '/');
  const counts = await Promise.all(info.portals.map(async (p) => {
    const [users, webhooks] = await Promise.all([api('GET', `/portals/${encodeURIComponent(p.code)}/users`), api('GET', `/portals/${encodeURIComponent(p.code)}/webhooks`)]);
    return { users: users.users.length, webhooks: webhooks.webhooks.length };
  }));
  if (id !== renderId) return;
  const card = (label, value) => el('div', { class: 'card' }, el('span', { class: 'muted' }, label), el('strong', {}, value));
  const webhook = [];
  if (info.webhookUrl) {
    const shown = el('code', { class: 'secret', id: 'bootstrap-webhook' }, maskWebhook(info.webhookUrl));
    let visible = false;
    const toggle = button('Show', () => {
      visible = !visible;
      shown.textContent = visible ? info.webhookUrl : maskWebhook(info.webhookUrl);
      toggle.textContent = visible ? 'Hide' : 'Show';
    }, 'secondary');
    webhook.push(panel('Bootstrap webhook',
      el('p', {}, 'The administrator webhook the first start made (scope mailservice). Call methods by adding their name: ', el('code', {}, 'mailservice.list'), '.'),
      shown,
      el('div', { class: 'actions' }, button('Copy URL', () => copy(info.webhookUrl, 'Webhook URL')), toggle)));
  } else {
    webhook.push(panel('Bootstrap webhook', el('p', { class: 'muted' }, 'This state holds no webhook whose secret the server knows; create one on a portal\'s page.')));
  }
  page('Overview',
    el('div', { class: 'cards' },
      card('Version', info.version), card('Store', info.store), card('Uptime', formatUptime(info.uptimeSeconds)),
      card('Portals', info.portals.length), card('Clock', info.clock), card('Journal size', info.journalSize)),
    ...webhook,
    panel('Portals', table(['Code', 'Domain', 'State', 'Licence', 'Users', 'Webhooks'], info.portals.map((p, i) => el('tr', {},
      el('td', {}, el('a', { href: `#/portal/${encodeURIComponent(p.code)}` }, p.code)),
      el('td', {}, p.domain), el('td', {}, p.state), el('td', {}, `${p.license} (${p.language})`),
      el('td', {}, counts[i].users), el('td', {}, counts[i].webhooks))))));
}

/** The state document's part for one portal: apps and the mail services (inactive ones too), which no list route gives. */
async function portalState(code) {
  const state = await api('GET', '/state');
  return state.portals.find((p) => p.code === code) ?? { apps: [], mailServices: [], users: [] };
}

async function portalPage(id, code) {
  const enc = encodeURIComponent(code);
  const [info, users, webhooks, state] = await Promise.all([api('GET', '/'), api('GET', `/portals/${enc}/users`), api('GET', `/portals/${enc}/webhooks`), portalState(code)]);
  if (id !== renderId) return;
  const portal = info.portals.find((p) => p.code === code);
  if (!portal) {
    page('Portal', el('p', { class: 'bad' }, `No portal '${code}'.`));
    return;
  }
  const reload = () => route();

  // State
  const stateField = field('Portal state', { type: 'select' }, { options: ['active', 'blocked', 'free', 'closed'].map((s) => [s, s]), selected: portal.state });
  const stateForm = el('form', { class: 'grid', on: { submit: async (e) => {
    e.preventDefault();
    if (await act(() => api('POST', `/portals/${enc}`, { state: stateField.input.value }), `Portal state saved: ${stateField.input.value}.`)) reload();
  } } }, stateField.box, el('div', {}, el('button', { type: 'submit' }, 'Save state')));

  // Users
  const userRows = users.users.map((u) => el('tr', {},
    el('td', {}, u.id), el('td', {}, `${u.name} ${u.lastName}`.trim()), el('td', {}, u.email), el('td', {}, yes(u.admin)), el('td', {}, yes(u.active)),
    el('td', {}, el('div', { class: 'actions' },
      button(u.admin ? 'Remove admin' : 'Make admin', async () => {
        if (await act(() => api('POST', `/portals/${enc}/users/${u.id}`, { admin: !u.admin }), `User ${u.id} ${u.admin ? 'is no longer' : 'is now'} an administrator.`)) reload();
      }, 'secondary'),
      button(u.active ? 'Deactivate' : 'Activate', async () => {
        if (await act(() => api('POST', `/portals/${enc}/users/${u.id}`, { active: !u.active }), `User ${u.id} ${u.active ? 'deactivated' : 'activated'}.`)) reload();
      }, u.active ? 'danger' : 'secondary')))));
  const name = field('First name', { required: true, autocomplete: 'off' });
  const last = field('Last name', { autocomplete: 'off' });
  const email = field('Email', { type: 'email', autocomplete: 'off' });
  const admin = checkbox('Administrator');
  const userForm = el('form', { class: 'grid', on: { submit: async (e) => {
    e.preventDefault();
    const body = { name: name.input.value, admin: admin.input.checked };
    if (last.input.value) body.lastName = last.input.value;
    if (email.input.value) body.email = email.input.value;
    const added = await act(() => api('POST', `/portals/${enc}/users`, body), (u) => `User ${u.id} added.`);
    if (added) reload();
  } } }, name.box, last.box, email.box, admin.box, el('div', {}, el('button', { type: 'submit' }, 'Add user')));

  // Webhooks
  const revealHook = el('div', { id: 'webhook-reveal' });
  const hookRow = (w) => el('tr', {},
    el('td', {}, w.id), el('td', {}, w.user), el('td', {}, w.scopes.join(', ')), el('td', {}, w.title), el('td', {}, yes(w.active)), el('td', {}, w.expiresAt ?? 'never'),
    el('td', {}, el('div', { class: 'actions' },
      button(w.active ? 'Deactivate' : 'Activate', async () => {
        if (await act(() => api('POST', `/portals/${enc}/webhooks/${w.id}`, { active: !w.active }), `Webhook ${w.id} ${w.active ? 'deactivated' : 'activated'}.`)) reload();
      }, 'secondary'),
      button('Remove', async () => {
        if (await act(() => api('DELETE', `/portals/${enc}/webhooks/${w.id}`), `Webhook ${w.id} removed.`)) reload();
      }, 'danger'))));
  const hookUser = field('User', { type: 'select' }, { options: users.users.filter((u) => u.active).map((u) => [String(u.id), `${u.id} · ${u.name}${u.admin ? ' (admin)' : ''}`]) });
  const hookScopes = scopeBoxes('Scopes');
  const hookTitle = field('Title', { autocomplete: 'off' });
  const hookForm = el('form', { class: 'grid', on: { submit: async (e) => {
    e.preventDefault();
    const body = { user: Number(hookUser.input.value), scopes: hookScopes.chosen() };
    if (hookTitle.input.value) body.title = hookTitle.input.value;
    const added = await act(() => api('POST', `/portals/${enc}/webhooks`, body), (w) => `Webhook ${w.id} created. Copy its URL now: it is shown only once.`);
    if (!added) return;
    // The URL lives only in this box; "Done" removes it from the page, and no list ever shows it again.
    revealHook.replaceChildren(el('div', { class: 'reveal' },
      el('p', {}, `Webhook ${added.id}: its URL, shown this once.`),
      el('code', { class: 'secret', id: 'new-webhook-url' }, added.url),
      el('div', { class: 'actions' },
        button('Copy URL', () => copy(added.url, 'Webhook URL')),
        button('Done', () => { revealHook.replaceChildren(); say('The webhook URL was removed from the page.'); }, 'secondary'))));
    // Only the table is redrawn: a whole reload would take the URL off the page before it was copied.
    const fresh = await api('GET', `/portals/${enc}/webhooks`);
    hookBody.replaceChildren(...fresh.webhooks.map(hookRow));
  } } }, hookUser.box, hookTitle.box, hookScopes.box, el('div', {}, el('button', { type: 'submit' }, 'Create webhook')));
  const hookTable = table(['ID', 'User', 'Scopes', 'Title', 'Active', 'Expires', 'Actions'], webhooks.webhooks.map(hookRow));
  const hookBody = hookTable.querySelector('tbody');

  // Apps
  const revealApp = el('div', { id: 'app-reveal' });
  const apps = state.apps ?? [];
  const appRows = apps.map((a) => el('tr', {}, el('td', {}, a.name), el('td', {}, el('code', {}, a.clientId)), el('td', {}, (a.scopes ?? []).join(', ')),
    el('td', {}, a.redirectUri), el('td', {}, (a.users ?? []).length ? a.users.join(', ') : 'every user')));
  const appName = field('App name', { required: true, autocomplete: 'off' });
  const appUri = field('Redirect URI', { type: 'url', required: true, placeholder: 'https://app.example/callback', autocomplete: 'off' });
  const appScopes = scopeBoxes('App scopes');
  const appForm = el('form', { class: 'grid', on: { submit: async (e) => {
    e.preventDefault();
    const added = await act(() => api('POST', `/portals/${enc}/apps`, { name: appName.input.value, redirectUri: appUri.input.value, scopes: appScopes.chosen() }),
      (a) => `App ${a.name} created. Copy its client_secret now: it is shown only once.`);
    if (!added) return;
    revealApp.replaceChildren(el('div', { class: 'reveal' },
      el('p', {}, `App ${added.name}: its credentials, shown this once.`),
      el('dl', { class: 'facts' },
        el('dt', {}, 'client_id'), el('dd', {}, el('code', { id: 'new-app-id' }, added.clientId)),
        el('dt', {}, 'client_secret'), el('dd', {}, el('code', { id: 'new-app-secret' }, added.clientSecret))),
      el('div', { class: 'actions' },
        button('Copy client_id', () => copy(added.clientId, 'client_id')),
        button('Copy client_secret', () => copy(added.clientSecret, 'client_secret')),
        button('Done', () => { revealApp.replaceChildren(); reload(); }, 'secondary'))));
  } } }, appName.box, appUri.box, appScopes.box, el('div', {}, el('button', { type: 'submit' }, 'Create app')));
  const restrictApp = field('App', { type: 'select' }, { options: apps.map((a) => [a.clientId, `${a.name} (${a.clientId})`]) });
  const restrictUsers = users.users.map((u) => el('input', { type: 'checkbox', value: String(u.id) }));
  const restrictForm = el('form', { class: 'grid', on: { submit: async (e) => {
    e.preventDefault();
    const ids = restrictUsers.filter((i) => i.checked).map((i) => Number(i.value));
    if (await act(() => api('POST', `/portals/${enc}/apps/${encodeURIComponent(restrictApp.input.value)}/users`, { users: ids }),
      ids.length ? `The app is limited to users ${ids.join(', ')}.` : 'The app is open to every user.')) reload();
  } } }, restrictApp.box,
  el('fieldset', { class: 'wide' }, el('legend', {}, 'Users who may use it (none: every user)'), restrictUsers.map((input, i) => el('label', {}, input, `${users.users[i].id} · ${users.users[i].name}`))),
  el('div', {}, el('button', { type: 'submit', disabled: apps.length === 0 }, 'Save restriction')));

  page(`Portal ${code}`,
    el('p', { class: 'muted' }, `${portal.domain} · member ${portal.memberId} · `, el('a', { href: `#/services/${enc}` }, 'mail services')),
    panel('State', el('p', {}, 'A blocked, free or closed portal answers REST calls as a real one in that state does.'), stateForm),
    panel('Users', table(['ID', 'Name', 'Email', 'Admin', 'Active', 'Actions'], userRows), el('h3', {}, 'Add a user'), userForm),
    panel('Webhooks', revealHook, hookTable, el('h3', {}, 'Create a webhook'), hookForm),
    panel('Apps', revealApp, apps.length ? table(['Name', 'client_id', 'Scopes', 'Redirect URI', 'Users'], appRows) : el('p', { class: 'muted' }, 'No app installed.'),
      el('h3', {}, 'Install an app'), appForm,
      apps.length ? [el('h3', {}, 'Restrict an app to users'), restrictForm] : null));
}

// Mail services ----------------------------------------------------------------------------------------------------

function readFile(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(new Error('The file could not be read.'));
    reader.readAsDataURL(file);
  });
}

function serviceForm(code, service, done) {
  const editing = Boolean(service);
  const v = (key) => (service && service[key] !== null && service[key] !== undefined ? String(service[key]) : '');
  const name = field('Name', { required: true, value: v('NAME'), autocomplete: 'off' });
  const server = field('IMAP server', { value: v('SERVER'), autocomplete: 'off' });
  const port = field('Port', { type: 'number', min: 1, max: 65535, value: v('PORT') });
  const encryption = checkbox('Secure connection (SSL)', { checked: v('ENCRYPTION') === 'Y' });
  const link = field('Web interface address (LINK)', { value: v('LINK'), autocomplete: 'off' });
  const sort = field('Sort', { type: 'number', min: 0, value: v('SORT') || '100' });
  const active = checkbox('Active', { checked: !editing || v('ACTIVE') === 'Y' });
  const logo = field('Logo (PNG, JPEG, GIF or WebP)', { type: 'file', accept: 'image/png,image/jpeg,image/gif,image/webp' });
  const preview = el('img', { class: 'preview', alt: 'Logo preview', hidden: true });
  if (editing && service.ICON) {
    preview.src = service.ICON;
    preview.hidden = false;
  }
  logo.input.addEventListener('change', () => {
    const file = logo.input.files[0];
    if (preview.src.startsWith('blob:')) URL.revokeObjectURL(preview.src);
    if (file) {
      preview.src = URL.createObjectURL(file);
      preview.hidden = false;
    }
  });
  logo.box.append(preview);
  const removeLogo = editing ? checkbox('Remove the logo') : null;
  const form = el('form', { class: 'grid', id: editing ? 'service-edit' : 'service-add', on: { submit: async (e) => {
    e.preventDefault();
    const params = { NAME: name.input.value, ACTIVE: active.input.checked ? 'Y' : 'N', ENCRYPTION: encryption.input.checked ? 'Y' : 'N' };
    // On add an empty field counts as not sent; on update "" clears it, as the API documents.
    const optional = { SERVER: server.input.value, PORT: port.input.value, LINK: link.input.value, SORT: sort.input.value };
    // The SMTP fields are the state document's only: the REST methods take none of them.
    for (const [key, value] of Object.entries(optional)) {
      if (value !== '' || (editing && key !== 'SORT' && v(key) !== '')) params[key] = value;
    }
    const file = logo.input.files[0];
    if (file) params.ICON = { fileData: [file.name, await readFile(file)] };
    else if (removeLogo && removeLogo.input.checked) params.ICON = '';
    if (editing) params.ID = service.ID;
    const result = await act(() => rest(code, editing ? 'mailservice.update' : 'mailservice.add', params),
      (r) => (editing ? `Service ${service.ID} saved.` : `Service ${r} added.`));
    if (result !== undefined) done();
  } } },
  name.box, server.box, port.box, encryption.box, link.box, sort.box, active.box, logo.box, removeLogo?.box,
  el('div', { class: 'actions wide' }, el('button', { type: 'submit' }, editing ? 'Save service' : 'Add service'), editing ? button('Cancel', done, 'secondary') : null));
  return form;
}

function serviceRow(code, s, actions) {
  const logo = s.ICON ? el('img', { class: 'logo', src: s.ICON, alt: `Logo of ${s.NAME}` }) : el('span', { class: 'muted' }, 'none');
  return el('tr', { 'data-id': s.ID },
    el('td', {}, logo), el('td', { class: 'service-name' }, s.NAME), el('td', {}, s.ID), el('td', {}, s.SORT),
    el('td', {}, [s.SERVER, s.PORT].filter(Boolean).join(':')), el('td', {}, s.ENCRYPTION === 'Y' ? 'SSL' : 'no'),
    el('td', {}, linkOrText(s.LINK)), el('td', {}, [s.SMTP_SERVER, s.SMTP_PORT].filter(Boolean).join(':')),
    el('td', {}, el('div', { class: 'actions' }, actions)));
}

/** The state document's names for a service, as mailservice.get names them (for inactive ones, which list leaves out). */
function fromState(s) {
  return { ID: s.id, NAME: s.name, ACTIVE: 'N', SORT: s.sort ?? 100, SERVER: s.server ?? '', PORT: s.port ?? null, ENCRYPTION: s.encryption ? 'Y' : 'N', LINK: s.link ?? null, ICON: null, SMTP_SERVER: s.smtpServer ?? null, SMTP_PORT: s.smtpPort ?? null };
}

async function servicesPage(id, code) {
  const info = await api('GET', '/');
  if (!code) code = info.portals[0]?.code;
  if (!code) {
    page('Mail services', el('p', {}, 'There is no portal.'));
    return;
  }
  let listed = [];
  let listNote = null;
  try {
    listed = Object.values(await rest(code, 'mailservice.list'));
  } catch (error) {
    listNote = `mailservice.list answers ${error.message}`;
  }
  const state = await portalState(code);
  if (id !== renderId) return;
  const inactive = (state.mailServices ?? []).filter((s) => s.active === false).map(fromState);
  const editBox = el('div', { id: 'service-editor' });
  const reload = () => route();
  const edit = async (s) => {
    const full = await act(() => rest(code, 'mailservice.get', { ID: s.ID }));
    if (!full) return;
    editBox.replaceChildren(panel(`Edit service ${s.ID}`, serviceForm(code, full, () => { editBox.replaceChildren(); reload(); })));
    editBox.querySelector('input').focus();
  };
  const remove = async (s) => {
    if (await act(() => rest(code, 'mailservice.delete', { ID: s.ID }), `Service ${s.ID} deleted.`)) reload();
  };
  const setActive = async (s, on) => {
    if (await act(() => rest(code, 'mailservice.update', { ID: s.ID, ACTIVE: on ? 'Y' : 'N' }), `Service ${s.ID} ${on ? 'activated' : 'deactivated'}.`)) reload();
  };
  // mailservice.list is in SORT order; moving swaps SORT with the neighbour (and parts them when they are equal).
  const move = async (index, by) => {
    const a = listed[index];
    const b = listed[index + by];
    const sa = Number(a.SORT);
    const sb = Number(b.SORT);
    const [na, nb] = sa === sb ? (by < 0 ? [sb - 1, sb] : [sb + 1, sb]) : [sb, sa];
    const ok = await act(async () => {
      await rest(code, 'mailservice.update', { ID: a.ID, SORT: Math.max(0, na) });
      await rest(code, 'mailservice.update', { ID: b.ID, SORT: Math.max(0, nb) });
    }, `Service ${a.ID} moved ${by < 0 ? 'up' : 'down'}.`);
    if (ok !== undefined) reload();
  };
  const activeRows = listed.map((s, i) => serviceRow(code, s, [
    button('Edit', () => edit(s), 'secondary'),
    i > 0 ? el('button', { type: 'button', class: 'secondary', 'aria-label': `Move ${s.NAME} up`, on: { click: () => move(i, -1) } }, '↑') : null,
    i < listed.length - 1 ? el('button', { type: 'button', class: 'secondary', 'aria-label': `Move ${s.NAME} down`, on: { click: () => move(i, 1) } }, '↓') : null,
    button('Deactivate', () => setActive(s, false), 'secondary'),
    button('Delete', () => remove(s), 'danger')]));
  const inactiveRows = inactive.map((s) => serviceRow(code, s, [
    button('Activate', () => setActive(s, true), 'secondary'),
    button('Edit', () => edit(s), 'secondary'),
    button('Delete', () => remove(s), 'danger')]));
  const portalPick = field('Portal', { type: 'select', id: 'service-portal' }, { options: info.portals.map((p) => [p.code, p.code]), selected: code });
  portalPick.input.addEventListener('change', () => { location.hash = `#/services/${encodeURIComponent(portalPick.input.value)}`; });
  const headersRow = ['Logo', 'Name', 'ID', 'Sort', 'IMAP', 'Encryption', 'Link', 'SMTP', 'Actions'];
  page('Mail services',
    el('div', { class: 'filters' }, portalPick.box),
    editBox,
    panel('As mailservice.list sees them', listNote ? el('p', { class: 'muted' }, listNote) : null, listed.length ? table(headersRow, activeRows) : null),
    panel('Inactive (left out of mailservice.list)', inactive.length ? table(headersRow, inactiveRows) : el('p', { class: 'muted' }, 'None.')),
    panel('Add a service', el('p', { class: 'muted' }, 'Saved with mailservice.add as the portal\'s administrator: the API\'s rules and messages apply, logos included.'),
      serviceForm(code, null, reload)));
}

// Requests -------------------------------------------------------------------------------------------------------

function matches(entry, filter) {
  if (filter.method) {
    const m = filter.method.toLowerCase();
    const name = (entry.method ?? '').toLowerCase();
    const commands = (entry.commands ?? []).map((c) => (c.method ?? '').toLowerCase().split('?')[0]);
    const test = (n) => (m.endsWith('*') ? n.startsWith(m.slice(0, -1)) : n === m);
    if (!test(name) && !commands.some(test)) return false;
  }
  if (filter.status && String(entry.status) !== filter.status) return false;
  if (filter.portal && entry.portal !== filter.portal) return false;
  return true;
}

async function requestsPage(id) {
  const info = await api('GET', '/');
  if (id !== renderId) return;
  const params = new URLSearchParams(location.hash.split('?')[1] ?? '');
  const filter = { method: params.get('method') ?? '', status: params.get('status') ?? '', portal: params.get('portal') ?? '' };
  const method = field('Method', { value: filter.method, placeholder: 'mailservice.*', id: 'filter-method' });
  const status = field('Status', { value: filter.status, inputmode: 'numeric', id: 'filter-status' });
  const portal = field('Portal', { type: 'select', id: 'filter-portal' }, { options: [['', 'any'], ...info.portals.map((p) => [p.code, p.code])], selected: filter.portal });
  const live = el('p', { class: 'muted', id: 'live-state' }, 'Connecting to the live stream…');
  const body = el('tbody', { id: 'journal' });
  const detail = el('div', { id: 'request-detail' });
  const open = (entry) => {
    detail.replaceChildren(panel(`Request ${entry.id}: ${entry.method ?? entry.path}`,
      el('dl', { class: 'facts' },
        el('dt', {}, 'Path'), el('dd', {}, el('code', {}, entry.path)),
        el('dt', {}, 'Caller'), el('dd', {}, `${entry.credential}${entry.user ? `, user ${entry.user}` : ''}${entry.portal ? `, portal ${entry.portal}` : ''}`),
        el('dt', {}, 'Answer'), el('dd', {}, `${entry.status}${entry.error ? ` ${entry.error}` : ''} in ${entry.durationMs} ms, ${entry.responseBytes} bytes`)),
      el('h3', {}, 'Parameters (secrets masked)'), el('pre', { tabindex: '0' }, JSON.stringify(entry.params, null, 2)),
      entry.commands ? [el('h3', {}, 'Batch commands'), el('pre', { tabindex: '0' }, JSON.stringify(entry.commands, null, 2))] : null,
      el('h3', {}, 'Answer'), el('pre', { tabindex: '0' }, typeof entry.response === 'string' ? entry.response : JSON.stringify(entry.response, null, 2))));
    detail.querySelector('h2').setAttribute('tabindex', '-1');
    detail.querySelector('h2').focus();
  };
  const columns = ['ID', 'Time (UTC)', 'Method', 'Portal', 'Credential', 'Status', 'Error', 'ms'];
  const row = (entry) => labelled(el('tbody', {}, el('tr', { 'data-id': entry.id },
    el('td', {}, entry.id), el('td', {}, entry.time.replace('T', ' ').replace('Z', '')),
    el('td', {}, el('button', { type: 'button', class: 'secondary', on: { click: () => open(entry) } }, entry.method ?? entry.path)),
    el('td', {}, entry.portal ?? ''), el('td', {}, entry.credential), el('td', {}, entry.status), el('td', {}, entry.error ?? ''), el('td', {}, entry.durationMs))), columns).rows[0];
  const apply = (e) => {
    e.preventDefault();
    const q = new URLSearchParams();
    if (method.input.value) q.set('method', method.input.value);
    if (status.input.value) q.set('status', status.input.value);
    if (portal.input.value) q.set('portal', portal.input.value);
    location.hash = `#/requests${q.size ? `?${q}` : ''}`;
  };
  const query = new URLSearchParams({ limit: '200' });
  for (const [k, val] of Object.entries(filter)) if (val) query.set(k, val);
  let journal;
  try {
    journal = await api('GET', `/requests?${query}`);
  } catch (error) {
    page('Requests', el('p', { class: 'bad' }, error.message));
    return;
  }
  if (id !== renderId) return;
  body.replaceChildren(...journal.requests.map(row));
  page('Requests',
    el('form', { class: 'filters', on: { submit: apply } }, method.box, status.box, portal.box,
      el('div', { class: 'actions' }, el('button', { type: 'submit' }, 'Filter'),
        button('Clear journal', async () => { if (await act(() => api('DELETE', '/requests'), 'The journal was cleared.') !== undefined) body.replaceChildren(); }, 'danger'))),
    live,
    el('div', { class: 'table-wrap', tabindex: '0' }, el('table', {},
      el('caption', { class: 'muted' }, `Newest first; the journal keeps the last ${journal.size} calls.`),
      el('thead', {}, el('tr', {}, columns.map((h) => el('th', { scope: 'col' }, h)))),
      body)),
    detail);
  follow(filter, (entry) => body.prepend(row(entry)), live);
}

/** The journal's event stream, read with fetch so the admin key can go in a header (EventSource sends none). */
async function follow(filter, add, live) {
  const signal = leaving.signal;
  try {
    const response = await fetch(`${API}/requests/stream`, { headers: headers(false), signal, cache: 'no-store' });
    if (!response.ok) {
      live.textContent = `No live stream: the server answered ${response.status}.`;
      return;
    }
    live.textContent = 'Live: new calls appear at the top.';
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
        if (!data) continue;
        const entry = JSON.parse(data);
        if (matches(entry, filter)) add(entry);
      }
    }
    live.textContent = 'The live stream ended; reload the page to follow again.';
  } catch (error) {
    if (!signal.aborted) live.textContent = `The live stream stopped: ${error.message}`;
  }
}

// Faults ---------------------------------------------------------------------------------------------------------

async function faultsPage(id) {
  const [info, faults] = await Promise.all([api('GET', '/'), api('GET', '/faults')]);
  if (id !== renderId) return;
  const reload = () => route();
  const errorText = (e) => (e === null ? '' : typeof e === 'string' ? e : `${e.status} ${e.error}`);
  const rows = faults.rules.map((r) => el('tr', { 'data-id': r.id },
    el('td', {}, r.id), el('td', {}, r.method ?? 'any'), el('td', {}, r.portal ?? 'any'), el('td', {}, r.credential ?? 'any'),
    el('td', {}, errorText(r.error)), el('td', {}, r.delay), el('td', {}, yes(r.drop)), el('td', {}, r.probability), el('td', {}, r.times ?? 'always'),
    el('td', { class: 'fired' }, r.fired),
    el('td', {}, button('Remove', async () => { if (await act(() => api('DELETE', `/faults/${r.id}`), `Fault rule ${r.id} removed.`) !== undefined) reload(); }, 'danger'))));
  const method = field('Method or pattern', { placeholder: 'mailservice.*', id: 'fault-method', autocomplete: 'off' });
  const portal = field('Portal', { type: 'select', id: 'fault-portal' }, { options: [['', 'any'], ...info.portals.map((p) => [p.code, p.code])] });
  const credential = field('Credential', { type: 'select' }, { options: [['', 'any'], ['webhook', 'webhook'], ['oauth', 'oauth']] });
  const error = field('Error (a Bitrix code)', { placeholder: 'QUERY_LIMIT_EXCEEDED', id: 'fault-error', autocomplete: 'off' });
  const delay = field('Delay (ms)', { type: 'number', min: 0, max: 60000, value: '0' });
  const probability = field('Probability (0–1)', { type: 'number', min: 0, max: 1, step: 'any', value: '1' });
  const times = field('Times (empty: always)', { type: 'number', min: 1 });
  const drop = checkbox('Drop the connection');
  const form = el('form', { class: 'grid', on: { submit: async (e) => {
    e.preventDefault();
    const rule = { probability: Number(probability.input.value || 1) };
    if (method.input.value) rule.method = method.input.value;
    if (portal.input.value) rule.portal = portal.input.value;
    if (credential.input.value) rule.credential = credential.input.value;
    if (error.input.value) rule.error = error.input.value;
    if (Number(delay.input.value)) rule.delay = Number(delay.input.value);
    if (drop.input.checked) rule.drop = true;
    if (times.input.value) rule.times = Number(times.input.value);
    if (await act(() => api('POST', '/faults', rule), (r) => `Fault rule ${r.id} added.`)) reload();
  } } }, method.box, portal.box, credential.box, error.box, delay.box, probability.box, times.box, drop.box,
  el('div', {}, el('button', { type: 'submit' }, 'Add rule')));
  page('Faults',
    el('p', {}, 'A rule makes matching REST calls fail, wait or drop, for as many times as it says; "fired" counts how often it did.'),
    panel('Rules', rows.length ? table(['ID', 'Method', 'Portal', 'Credential', 'Error', 'Delay', 'Drop', 'Probability', 'Times', 'Fired', ''], rows) : el('p', { class: 'muted' }, 'No rule: calls run normally.'),
      el('div', { class: 'actions' }, button('Refresh', reload, 'secondary'),
        rows.length ? button('Remove all', async () => { if (await act(() => api('DELETE', '/faults'), (r) => `${r.removed} rules removed.`)) reload(); }, 'danger') : null)),
    panel('Add a rule', form));
}

// State and clock ------------------------------------------------------------------------------------------------

async function statePage(id) {
  const info = await api('GET', '/');
  const clock = info.clock === 'manual' ? await api('GET', '/clock') : null;
  if (id !== renderId) return;
  const reload = () => route();
  const exportState = async () => {
    const state = await act(() => api('GET', '/state'));
    if (!state) return;
    const url = URL.createObjectURL(new Blob([JSON.stringify(state, null, 2)], { type: 'application/json' }));
    const a = el('a', { href: url, download: 'b24mail-state.json', hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    say('The state document was exported as b24mail-state.json.');
  };
  const file = field('State document (JSON)', { type: 'file', accept: 'application/json,.json' });
  const importForm = el('form', { class: 'grid', on: { submit: async (e) => {
    e.preventDefault();
    const chosen = file.input.files[0];
    if (!chosen) {
      say('Choose a state document first.', false);
      return;
    }
    if (await act(async () => api('POST', '/state', await chosen.text()), 'The state was replaced by the imported document.')) reload();
  } } }, file.box, el('div', {}, el('button', { type: 'submit' }, 'Import (replaces everything)')));
  const clockPanel = [];
  if (clock) {
    const now = field('Set the time (ISO 8601 with offset)', { value: clock.now, id: 'clock-now', autocomplete: 'off' });
    const advance = field('Advance by (seconds)', { type: 'number', min: 0, value: '60', id: 'clock-advance' });
    clockPanel.push(panel('Clock (manual)',
      el('p', {}, 'Now: ', el('strong', { id: 'clock-value' }, clock.now)),
      el('form', { class: 'grid', on: { submit: async (e) => {
        e.preventDefault();
        if (await act(() => api('POST', '/clock', { now: now.input.value }), (c) => `The clock now reads ${c.now}.`)) reload();
      } } }, now.box, el('div', {}, el('button', { type: 'submit' }, 'Set time'))),
      el('form', { class: 'grid', on: { submit: async (e) => {
        e.preventDefault();
        if (await act(() => api('POST', '/clock', { advance: Number(advance.input.value) }), (c) => `The clock now reads ${c.now}.`)) reload();
      } } }, advance.box, el('div', {}, el('button', { type: 'submit' }, 'Advance')))));
  }
  page('State',
    panel('Export and import',
      el('p', {}, 'The state document holds portals, users, webhooks, apps and mail services with their logos (secrets as hashes).'),
      el('div', { class: 'actions' }, button('Export state', exportState)),
      el('h3', {}, 'Import'), importForm),
    panel('Reset',
      el('p', {}, 'Back to the first start\'s state (or the --seed document): everything made since is gone.'),
      el('div', { class: 'actions' },
        button('Reset everything', async () => { if (await act(() => api('POST', '/reset', {}), 'The server was reset.')) reload(); }, 'danger'),
        info.portals.map((p) => button(`Reset portal ${p.code}`, async () => {
          if (await act(() => api('POST', `/portals/${encodeURIComponent(p.code)}/reset`, {}), `Portal ${p.code} was reset.`)) reload();
        }, 'danger')))),
    ...clockPanel);
}

// ---------------------------------------------------------------------------------------------------------------
// Routing

async function route() {
  leaving.abort();
  leaving = new AbortController();
  const id = ++renderId;
  const [path] = location.hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const section = parts[0] ?? '';
  for (const link of document.querySelectorAll('#nav a')) {
    const target = link.getAttribute('href').replace(/^#\/?/, '');
    if (target === section || (target === 'services' && section === 'services')) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  try {
    if (section === '') await overview(id);
    else if (section === 'portal') await portalPage(id, parts[1]);
    else if (section === 'services') await servicesPage(id, parts[1]);
    else if (section === 'requests') await requestsPage(id);
    else if (section === 'faults') await faultsPage(id);
    else if (section === 'state') await statePage(id);
    else page('Not found', el('p', {}, 'No such page. '), el('a', { href: '#/' }, 'Back to the overview'));
  } catch (error) {
    if (id === renderId) page('The console could not load this page', el('p', { class: 'bad', role: 'alert' }, error.message), button('Try again', route));
  }
}

window.addEventListener('hashchange', () => {
  statusBox.replaceChildren();
  route().then(() => main.focus({ preventScroll: true }));
});
route();
