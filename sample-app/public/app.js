// The sample app's page script: plain browser JavaScript, no build step.
const state = { csrfToken: '', expiresAt: null, authenticated: false };
const $ = (id) => document.getElementById(id);

async function api(method, path, body, retried = false) {
  const headers = { accept: 'application/json' };
  if (method !== 'GET') headers['x-csrf-token'] = state.csrfToken;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  // The CSRF token is bound to the session token: after a token rotation (or a sign-in in
  // another tab) it is stale. Fetch the current one and try once more.
  if (response.status === 403 && method !== 'GET' && !retried) {
    await refreshSession();
    return api(method, path, body, true);
  }
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const reason = data && data.message ? [].concat(data.message).join(', ') : response.statusText;
    throw Object.assign(new Error(reason), { status: response.status });
  }
  return data;
}

function show(message) {
  $('message').textContent = message || '';
}

function formatTime(iso) {
  return iso ? new Date(iso).toLocaleString() : '–';
}

async function refreshSession() {
  const session = await api('GET', '/api/session');
  state.csrfToken = session.csrfToken;
  state.expiresAt = session.expiresAt;
  state.authenticated = session.authenticated;
  $('who').textContent = session.user ? `Signed in as ${session.user.name}` : 'Not signed in';
  $('login-form').hidden = session.authenticated;
  $('logout-row').hidden = !session.authenticated;
  $('created').textContent = formatTime(session.createdAt);
  $('expires').textContent = formatTime(session.expiresAt);
  tick();
}

function tick() {
  if (!state.expiresAt) {
    $('countdown').textContent = '–';
    return;
  }
  const left = Math.max(0, Date.parse(state.expiresAt) - Date.now());
  const minutes = Math.floor(left / 60000);
  const seconds = Math.floor((left % 60000) / 1000);
  $('countdown').textContent = `${minutes}:${String(seconds).padStart(2, '0')}`;
}

async function refreshCounter() {
  $('counter').textContent = (await api('GET', '/api/counter')).value;
}

function renderCart(items) {
  const list = $('cart');
  list.replaceChildren(
    ...(items.length === 0
      ? [Object.assign(document.createElement('li'), { className: 'muted', textContent: 'Empty' })]
      : items.map((item) => {
          const li = document.createElement('li');
          li.dataset.sku = item.sku;
          li.textContent = `${item.sku} × ${item.qty}`;
          return li;
        })),
  );
}

async function refreshCart() {
  renderCart((await api('GET', '/api/cart')).items);
}

async function refreshDevices() {
  const list = $('devices');
  $('revoke-others').hidden = !state.authenticated;
  if (!state.authenticated) {
    list.replaceChildren(
      Object.assign(document.createElement('li'), {
        className: 'muted',
        textContent: 'Sign in to see them.',
      }),
    );
    return;
  }
  const sessions = await api('GET', '/api/sessions');
  list.replaceChildren(
    ...sessions.map((device) => {
      const li = document.createElement('li');
      li.dataset.handle = device.handle;
      const label = document.createElement('div');
      label.innerHTML = '<div></div><div class="muted"></div>';
      label.firstChild.textContent = device.userAgent || 'Unknown device';
      label.lastChild.textContent = `last seen ${formatTime(device.lastSeenAt)}`;
      li.append(label);
      if (device.current) {
        li.append(
          Object.assign(document.createElement('span'), {
            className: 'badge',
            textContent: 'this device',
          }),
        );
      } else {
        const revoke = Object.assign(document.createElement('button'), {
          className: 'danger',
          textContent: 'Revoke',
        });
        revoke.dataset.testid = 'revoke';
        revoke.addEventListener('click', () =>
          run(async () => {
            await api('DELETE', `/api/sessions/${encodeURIComponent(device.handle)}`);
            await refreshDevices();
          }),
        );
        li.append(revoke);
      }
      return li;
    }),
  );
}

function applyTheme(theme) {
  // The server keeps the theme in the session; the page remembers it only to paint at once.
  localStorage.setItem('theme', theme);
  document.documentElement.dataset.theme = theme;
  $('theme-toggle').textContent = theme === 'dark' ? 'Light theme' : 'Dark theme';
}

async function refreshAll() {
  await refreshSession();
  await Promise.all([refreshCounter(), refreshCart(), refreshDevices()]);
}

async function run(action) {
  try {
    show('');
    await action();
  } catch (error) {
    show(error.message);
    if (error.status === 401 || error.status === 403) await refreshAll().catch(() => undefined);
  }
}

$('login-form').addEventListener('submit', (event) => {
  event.preventDefault();
  run(async () => {
    await api('POST', '/api/auth/login', {
      username: $('username').value,
      password: $('password').value,
    });
    $('password').value = '';
    await refreshAll();
  });
});
$('logout').addEventListener('click', () =>
  run(async () => {
    await api('POST', '/api/auth/logout');
    await refreshAll();
  }),
);
$('increment').addEventListener('click', () =>
  run(async () => {
    $('counter').textContent = (await api('POST', '/api/counter/increment')).value;
  }),
);
$('cart-form').addEventListener('submit', (event) => {
  event.preventDefault();
  run(async () => {
    const result = await api('POST', '/api/cart/items', {
      sku: $('sku').value,
      qty: Number($('qty').value),
    });
    renderCart(result.items);
    $('sku').value = '';
  });
});
$('theme-toggle').addEventListener('click', () =>
  run(async () => {
    const next = document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark';
    applyTheme((await api('PUT', '/api/preferences', { theme: next })).theme);
  }),
);
$('revoke-others').addEventListener('click', () =>
  run(async () => {
    await api('POST', '/api/sessions/revoke-others');
    await refreshDevices();
  }),
);

applyTheme(localStorage.getItem('theme') === 'dark' ? 'dark' : 'light');
setInterval(tick, 1000);
// Another device may revoke this session: check now and then.
setInterval(
  () =>
    refreshSession()
      .then(refreshDevices)
      .catch(() => undefined),
  5000,
);
run(refreshAll);
