/** Load generation with autocannon, and the HTTP requests that prepare sessions. */
import { Agent, request as httpRequest } from 'node:http';
import autocannon, { type AutocannonRequest, type AutocannonResult } from 'autocannon';
import { BASELINE_KINDS, type ContenderKind, SAMPLE_KINDS, type ScenarioName } from './protocol.js';

export interface LoadSettings {
  readonly connections: number;
  /** Seconds. */
  readonly duration: number;
  /** Requests per second from all connections; unlimited when undefined. */
  readonly overallRate?: number;
}

/** One autocannon run. Latencies are kept per request (autocannon's histogram has 1 ms steps). */
export interface RunResult {
  readonly requests: number;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
  readonly non2xx: number;
}

/** Method, path and cookie use of each scenario. */
const ROUTES: Record<ScenarioName, { method: string; path: string; cookie: boolean }> = {
  read: { method: 'GET', path: '/read', cookie: true },
  write: { method: 'POST', path: '/write', cookie: true },
  create: { method: 'POST', path: '/login', cookie: false },
  increment: { method: 'POST', path: '/increment', cookie: true },
  skip: { method: 'GET', path: '/health', cookie: true },
  cart: { method: 'GET', path: '/api/cart', cookie: true },
};

/** Sent with every request: the sample app binds a session to its user agent. */
export const USER_AGENT = 'nds-bench';

function percentile(sorted: Float64Array, share: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(share * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

/**
 * Drives `url` with one scenario. Requests with a cookie take the sessions of `cookies` in turn,
 * so the requests in flight at any moment (one per connection) use different sessions: a locked
 * request then never waits for another one of the same run.
 */
export async function drive(
  url: string,
  scenario: ScenarioName,
  cookies: readonly string[],
  settings: LoadSettings,
): Promise<RunResult> {
  const route = ROUTES[scenario];
  let next = 0;
  const request: AutocannonRequest = {
    method: route.method,
    path: route.path,
    headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT },
    body: '{}',
  };
  if (route.cookie) {
    if (cookies.length === 0) throw new Error(`${scenario} needs sessions`);
    request.setupRequest = (req) => {
      const cookie = cookies[next++ % cookies.length] as string;
      return { ...req, headers: { ...req.headers, cookie } };
    };
  }
  let latencies = new Float64Array(65_536);
  let count = 0;
  const result = await new Promise<AutocannonResult>((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections: settings.connections,
        duration: settings.duration,
        overallRate: settings.overallRate,
        timeout: 10,
        requests: [request],
      },
      (error, value) => (error ? reject(error) : resolve(value)),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode < 200 || statusCode >= 300) return;
      if (count === latencies.length) {
        const grown = new Float64Array(latencies.length * 2);
        grown.set(latencies);
        latencies = grown;
      }
      latencies[count++] = responseTime;
    });
  });
  const sorted = latencies.slice(0, count).sort();
  return {
    requests: count,
    rps: count / settings.duration,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

/**
 * Drives `url` at a steady `rate` (open loop): requests are scheduled every 1/rate s, in 1 ms
 * ticks, over at most `connections` keep-alive connections, and each latency counts from the
 * moment its request was due (so a slow server is not hidden by waiting to send). autocannon's
 * `overallRate` is not used here: it sends each second's quota in one burst at the start of the
 * second, which measures a saturated server.
 */
export async function drivePaced(
  url: string,
  scenario: ScenarioName,
  cookies: readonly string[],
  settings: LoadSettings & { readonly overallRate: number },
): Promise<RunResult> {
  const route = ROUTES[scenario];
  const target = new URL(route.path, url);
  const agent = new Agent({ keepAlive: true, maxSockets: settings.connections });
  const latencies: number[] = [];
  let errors = 0;
  let non2xx = 0;
  let sent = 0;
  let next = 0;
  const pending = new Set<Promise<void>>();
  const send = (due: bigint) => {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': USER_AGENT,
    };
    if (route.cookie) headers.cookie = cookies[next++ % cookies.length] as string;
    const done = new Promise<void>((resolve) => {
      const req = httpRequest(target, { method: route.method, headers, agent }, (response) => {
        response.resume();
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          if (status >= 200 && status < 300)
            latencies.push(Number(process.hrtime.bigint() - due) / 1e6);
          else non2xx++;
          resolve();
        });
      });
      req.on('socket', (socket) => socket.setNoDelay(true));
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end(route.method === 'GET' ? undefined : '{}');
    });
    pending.add(done);
    void done.then(() => pending.delete(done));
  };
  const start = process.hrtime.bigint();
  const total = Math.round(settings.overallRate * settings.duration);
  const intervalNs = 1e9 / settings.overallRate;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const elapsed = Number(process.hrtime.bigint() - start);
      const due = Math.min(total, Math.floor(elapsed / intervalNs) + 1);
      while (sent < due) send(start + BigInt(Math.round(sent++ * intervalNs)));
      if (sent >= total) {
        clearInterval(timer);
        resolve();
      }
    }, 1);
  });
  await Promise.all(pending);
  agent.destroy();
  const sorted = Float64Array.from(latencies).sort();
  return {
    requests: sorted.length,
    rps: sorted.length / settings.duration,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    errors,
    non2xx,
  };
}

/** Sends `amount` requests of a route as fast as `connections` allow (memory scenario). */
export async function fire(
  url: string,
  path: string,
  amount: number,
  connections: number,
): Promise<number> {
  const result = await new Promise<AutocannonResult>((resolve, reject) => {
    autocannon(
      {
        url,
        connections,
        amount,
        method: 'POST',
        timeout: 10,
        headers: { 'content-type': 'application/json' },
        body: '{}',
        requests: [{ method: 'POST', path }],
      },
      (error, value) => (error ? reject(error) : resolve(value)),
    );
  });
  return result['2xx'];
}

/** `name=value` of the session cookie a response sets, if any. */
function sessionCookie(response: Response): string | undefined {
  for (const header of response.headers.getSetCookie()) {
    const pair = header.split(';')[0];
    if (pair?.includes('=')) return pair;
  }
  return undefined;
}

/** Creates `count` sessions (POST /login) and returns their cookies. */
export async function createSessions(url: string, count: number, parallel = 8): Promise<string[]> {
  const cookies: string[] = [];
  let started = 0;
  const worker = async () => {
    while (started < count) {
      started++;
      const response = await fetch(`${url}/login`, { method: 'POST' });
      await response.arrayBuffer();
      const cookie = sessionCookie(response);
      if (!response.ok || !cookie)
        throw new Error(`POST /login gave ${response.status} and no cookie`);
      cookies.push(cookie);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return cookies;
}

/**
 * Sessions of the sample app (or its anchor) with one cart line each, made as a browser would:
 * `GET /api/session` for the cookie and the CSRF token, then `POST /api/cart/items`.
 */
export async function createCartSessions(url: string, count: number): Promise<string[]> {
  const cookies: string[] = [];
  for (let i = 0; i < count; i++) {
    const state = await fetch(`${url}/api/session`, { headers: { 'user-agent': USER_AGENT } });
    const { csrfToken } = (await state.json()) as { csrfToken: string };
    const cookie = sessionCookie(state);
    if (!cookie) throw new Error(`GET /api/session gave ${state.status} and no cookie`);
    const added = await fetch(`${url}/api/cart/items`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': USER_AGENT,
        'x-csrf-token': csrfToken,
        cookie,
      },
      body: JSON.stringify({ sku: 'sku-1', qty: 1 }),
    });
    await added.arrayBuffer();
    if (!added.ok) throw new Error(`POST /api/cart/items gave ${added.status}`);
    cookies.push(sessionCookie(added) ?? cookie);
  }
  return cookies;
}

/**
 * The cookies a contender's requests present: a dummy one for a baseline (it keeps no sessions),
 * cart sessions for the sample app and its anchor, `POST /login` sessions for the others.
 */
export async function sessionsFor(
  kind: ContenderKind,
  url: string,
  count: number,
): Promise<string[]> {
  if (BASELINE_KINDS.includes(kind)) return ['bench=none'];
  if (SAMPLE_KINDS.includes(kind)) return createCartSessions(url, count);
  return createSessions(url, count);
}

/** One request of a scenario, awaited (used to count Redis commands per request). */
export async function once(
  url: string,
  scenario: ScenarioName,
  cookie: string | undefined,
): Promise<number> {
  const route = ROUTES[scenario];
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
  };
  if (route.cookie && cookie) headers.cookie = cookie;
  const response = await fetch(`${url}${route.path}`, {
    method: route.method,
    headers,
    body: route.method === 'GET' ? undefined : '{}',
  });
  await response.arrayBuffer();
  return response.status;
}

/** Checks that a contender really keeps sessions: the counter of one session goes 1, 2. */
export async function checkSessions(url: string): Promise<void> {
  const [cookie] = await createSessions(url, 1, 1);
  const values: number[] = [];
  for (let i = 0; i < 2; i++) {
    const response = await fetch(`${url}/increment`, {
      method: 'POST',
      headers: { cookie: cookie ?? '' },
    });
    values.push(((await response.json()) as { value: number }).value);
  }
  if (values[0] !== 1 || values[1] !== 2) {
    throw new Error(`sessions do not work: increments gave ${values.join(', ')}`);
  }
}
