import { Redis } from 'ioredis';
import { resolveSessionOptions } from './resolve-session-options.js';
import { SessionError, SessionOptionsError } from './session.errors.js';
import { MemorySessionStore } from './stores/memory/memory-session-store.js';

const SECRET = 'a-secret-of-at-least-32-characters!!';
const OLDER = 'an-older-secret-also-32-characters!!';
const MINUTE = 60_000;

function optionsError(raw: unknown): SessionOptionsError {
  try {
    resolveSessionOptions(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(SessionOptionsError);
    return error as SessionOptionsError;
  }
  throw new Error('resolveSessionOptions did not throw');
}

/** The listed problems of an options error, one per line. */
function problemsOf(raw: unknown): string[] {
  const { message } = optionsError(raw);
  expect(message.startsWith('SessionModule options are invalid:\n')).toBe(true);
  return message
    .split('\n')
    .slice(1)
    .map((line) => line.replace(/^ {2}- /, ''));
}

describe('resolveSessionOptions defaults', () => {
  const resolved = resolveSessionOptions({ secrets: [SECRET] });

  it('keeps the secrets', () => {
    expect(resolved.secrets).toEqual([SECRET]);
    expect(resolveSessionOptions({ secrets: [SECRET, OLDER] }).secrets).toEqual([SECRET, OLDER]);
  });

  it('times out after 30 minutes idle and 8 hours absolute', () => {
    expect(resolved.idleTimeoutMs).toBe(1_800_000);
    expect(resolved.absoluteTimeoutMs).toBe(28_800_000);
  });

  it('slides after a tenth of the idle timeout', () => {
    expect(resolved.slideAfterMs).toBe(180_000);
    expect(resolveSessionOptions({ secrets: [SECRET], idleTimeoutMs: 10_000 }).slideAfterMs).toBe(
      1000,
    );
  });

  it('uses the given slide share', () => {
    const options = { secrets: [SECRET], idleTimeoutMs: 10 * MINUTE };
    expect(resolveSessionOptions({ ...options, slideAfterShare: 0 }).slideAfterMs).toBe(0);
    expect(resolveSessionOptions({ ...options, slideAfterShare: 0.5 }).slideAfterMs).toBe(300_000);
  });

  it('limits a session to 65536 bytes and a command to 2000 ms', () => {
    expect(resolved.maxSessionBytes).toBe(65_536);
    expect(resolved.commandTimeoutMs).toBe(2000);
  });

  it('does not save uninitialized sessions and prefixes keys with "sess:"', () => {
    expect(resolved.saveUninitialized).toBe(false);
    expect(resolved.prefix).toBe('sess:');
  });

  it('has no redis and no store', () => {
    expect(resolved.redis).toBeUndefined();
    expect(resolved.store).toBeUndefined();
  });

  it('makes a secure, host-only __Host-sid cookie', () => {
    expect(resolved.cookie).toEqual({
      name: '__Host-sid',
      domain: undefined,
      path: '/',
      httpOnly: true,
      secure: true,
      sameSite: 'lax',
      persistent: true,
    });
  });

  it('names the cookie "sid" when secure is false', () => {
    const { cookie } = resolveSessionOptions({ secrets: [SECRET], cookie: { secure: false } });
    expect(cookie.name).toBe('sid');
    expect(cookie.secure).toBe(false);
  });

  it('names the cookie "sid" when a domain is set', () => {
    const { cookie } = resolveSessionOptions({
      secrets: [SECRET],
      cookie: { domain: 'example.com' },
    });
    expect(cookie.name).toBe('sid');
    expect(cookie.domain).toBe('example.com');
    expect(cookie.secure).toBe(true);
  });

  it('names the cookie "sid" when the path is not "/"', () => {
    const { cookie } = resolveSessionOptions({ secrets: [SECRET], cookie: { path: '/app' } });
    expect(cookie.name).toBe('sid');
    expect(cookie.path).toBe('/app');
  });

  it('keeps a given cookie name and attributes', () => {
    const { cookie } = resolveSessionOptions({
      secrets: [SECRET],
      cookie: { name: 'my_session', httpOnly: false, sameSite: 'strict' },
    });
    expect(cookie).toEqual({
      name: 'my_session',
      domain: undefined,
      path: '/',
      httpOnly: false,
      secure: true,
      sameSite: 'strict',
      persistent: true,
    });
  });

  it('allows sameSite none with the default secure cookie', () => {
    const { cookie } = resolveSessionOptions({ secrets: [SECRET], cookie: { sameSite: 'none' } });
    expect(cookie.sameSite).toBe('none');
    expect(cookie.secure).toBe(true);
  });

  it('keeps explicit numeric and boolean options', () => {
    const resolvedExplicit = resolveSessionOptions({
      secrets: [SECRET],
      prefix: 'app:',
      idleTimeoutMs: 5 * MINUTE,
      absoluteTimeoutMs: 60 * MINUTE,
      saveUninitialized: true,
      maxSessionBytes: 1024,
      commandTimeoutMs: 500,
    });
    expect(resolvedExplicit).toMatchObject({
      prefix: 'app:',
      idleTimeoutMs: 300_000,
      absoluteTimeoutMs: 3_600_000,
      slideAfterMs: 30_000,
      saveUninitialized: true,
      maxSessionBytes: 1024,
      commandTimeoutMs: 500,
    });
  });

  it('accepts idle equal to absolute', () => {
    const equal = resolveSessionOptions({
      secrets: [SECRET],
      idleTimeoutMs: 60 * MINUTE,
      absoluteTimeoutMs: 60 * MINUTE,
    });
    expect(equal.idleTimeoutMs).toBe(equal.absoluteTimeoutMs);
  });

  it('accepts redis URLs with redis:// and rediss://', () => {
    expect(resolveSessionOptions({ secrets: [SECRET], redis: 'redis://h:6379/2' }).redis).toBe(
      'redis://h:6379/2',
    );
    expect(resolveSessionOptions({ secrets: [SECRET], redis: 'rediss://h:6380' }).redis).toBe(
      'rediss://h:6380',
    );
  });

  it('does not change the options object it was given', () => {
    const raw = { secrets: [SECRET], cookie: { secure: false } };
    resolveSessionOptions(raw);
    expect(raw).toEqual({ secrets: [SECRET], cookie: { secure: false } });
  });
});

describe('resolveSessionOptions keeps passed objects', () => {
  it('keeps an ioredis client as the same object', () => {
    const client = new Redis({ lazyConnect: true });
    try {
      const resolved = resolveSessionOptions({ secrets: [SECRET], redis: client });
      expect(resolved.redis).toBe(client);
      expect(client.status).toBe('wait');
    } finally {
      client.disconnect();
    }
  });

  it('keeps a store as the same object', async () => {
    const store = new MemorySessionStore();
    try {
      expect(resolveSessionOptions({ secrets: [SECRET], store }).store).toBe(store);
    } finally {
      await store.close();
    }
  });

  it('keeps Sentinel settings as the same object', () => {
    const sentinel = { sentinels: [{ host: 'h', port: 26379 }], name: 'mymaster' };
    expect(resolveSessionOptions({ secrets: [SECRET], redis: sentinel }).redis).toBe(sentinel);
  });
});

describe('resolveSessionOptions errors', () => {
  it('raises a SessionOptionsError, which is a SessionError', () => {
    const error = optionsError({});
    expect(error).toBeInstanceOf(SessionError);
    expect(error.name).toBe('SessionOptionsError');
  });

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['a string', 'redis://localhost'],
    ['a number', 42],
  ])('rejects %s as options', (_name, raw) => {
    expect(problemsOf(raw)).toEqual(['options must be an object with at least `secrets`']);
  });

  it('rejects missing secrets, naming the option', () => {
    expect(problemsOf({})).toContain('secrets must be an array of strings, newest first');
  });

  it('rejects an empty secrets array', () => {
    expect(problemsOf({ secrets: [] })).toEqual(['secrets must hold at least one secret']);
  });

  it('rejects a secret shorter than 32 characters, saying how to make one', () => {
    expect(problemsOf({ secrets: [SECRET, 'x'.repeat(31)] })).toEqual([
      'each of secrets must be at least 32 characters; generate one with `openssl rand -base64 48`',
    ]);
  });

  it('accepts a secret of exactly 32 characters', () => {
    expect(resolveSessionOptions({ secrets: ['x'.repeat(32)] }).secrets).toEqual(['x'.repeat(32)]);
  });

  it('rejects an idle timeout longer than the absolute timeout', () => {
    expect(
      problemsOf({ secrets: [SECRET], idleTimeoutMs: 60 * MINUTE, absoluteTimeoutMs: 30 * MINUTE }),
    ).toEqual([
      'idleTimeoutMs (3600000) must not be longer than absoluteTimeoutMs (1800000); ' +
        'shorten the idle timeout or lengthen the absolute one',
    ]);
  });

  it('compares an idle timeout against the default absolute timeout', () => {
    const [problem] = problemsOf({ secrets: [SECRET], idleTimeoutMs: 9 * 60 * MINUTE });
    expect(problem).toContain('idleTimeoutMs (32400000)');
    expect(problem).toContain('absoluteTimeoutMs (28800000)');
  });

  it('rejects both redis and store', async () => {
    const store = new MemorySessionStore();
    try {
      expect(problemsOf({ secrets: [SECRET], redis: 'redis://localhost:6379', store })).toEqual([
        'give either `redis` or `store`, not both: `store` would make `redis` unused',
      ]);
    } finally {
      await store.close();
    }
  });

  it('rejects an unknown option, naming it', () => {
    expect(problemsOf({ secrets: [SECRET], secrt: 'x' })).toEqual([
      'unknown option `secrt`: check its spelling against SessionModuleOptions',
    ]);
  });

  it('rejects an unknown cookie option, naming its path', () => {
    expect(problemsOf({ secrets: [SECRET], cookie: { nmae: 'x' } })).toEqual([
      'unknown option `cookie.nmae`: check its spelling against SessionModuleOptions',
    ]);
  });

  it.each(['http://x', 'localhost:6379', '', 'redis:/x'])('rejects the redis URL %j', (redis) => {
    expect(problemsOf({ secrets: [SECRET], redis })).toEqual([
      'redis must be a redis:// or rediss:// URL, an ioredis Redis or Cluster client, ' +
        '{ sentinels, name } or { clusterNodes }',
    ]);
  });

  it('rejects an object that is not a Redis client, Sentinel or Cluster settings', () => {
    expect(problemsOf({ secrets: [SECRET], redis: { host: 'x' } })[0]).toMatch(/^redis must be/);
    expect(problemsOf({ secrets: [SECRET], redis: { clusterNodes: [] } })[0]).toMatch(
      /^redis must be/,
    );
  });

  it('rejects a store that does not extend SessionStore', () => {
    expect(problemsOf({ secrets: [SECRET], store: { load: () => undefined } })).toEqual([
      'store must be an instance of a class that extends SessionStore',
    ]);
  });

  it('rejects sameSite none with secure false', () => {
    expect(problemsOf({ secrets: [SECRET], cookie: { sameSite: 'none', secure: false } })).toEqual([
      "cookie.sameSite 'none' needs cookie.secure true: browsers drop such cookies",
    ]);
  });

  it('rejects an unknown sameSite value, naming the option', () => {
    const problems = problemsOf({ secrets: [SECRET], cookie: { sameSite: 'loose' } });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('sameSite');
  });

  it('rejects a cookie name that is not a cookie token', () => {
    expect(problemsOf({ secrets: [SECRET], cookie: { name: 'my sid' } })).toEqual([
      'cookie.name must be a cookie token',
    ]);
  });

  it('rejects an idle timeout under one second', () => {
    expect(problemsOf({ secrets: [SECRET], idleTimeoutMs: 999 })).toEqual([
      'idleTimeoutMs must be at least 1000 (one second)',
    ]);
  });

  it('lists several problems together in one message', async () => {
    const store = new MemorySessionStore();
    const problems = problemsOf({
      secrets: ['too-short'],
      secrt: 'x',
      redis: 'http://x',
      store,
      idleTimeoutMs: 9 * 60 * MINUTE,
      cookie: { sameSite: 'none', secure: false },
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'each of secrets must be at least 32 characters; generate one with `openssl rand -base64 48`',
        'unknown option `secrt`: check its spelling against SessionModuleOptions',
        'redis must be a redis:// or rediss:// URL, an ioredis Redis or Cluster client, ' +
          '{ sentinels, name } or { clusterNodes }',
        'give either `redis` or `store`, not both: `store` would make `redis` unused',
        "cookie.sameSite 'none' needs cookie.secure true: browsers drop such cookies",
      ]),
    );
    expect(problems.some((problem) => problem.startsWith('idleTimeoutMs (32400000)'))).toBe(true);
    expect(problems).toHaveLength(6);
    await store.close();
  });
});
