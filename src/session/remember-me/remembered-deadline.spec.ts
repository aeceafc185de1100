import { resolveSessionOptions } from '../resolve-session-options.js';
import { SessionError, SessionOptionsError } from '../session.errors.js';
import { isRemembered, rememberedDeadlineOf } from './remembered-deadline.js';

const SECRET = 'a-secret-that-is-at-least-32-characters-long';
const HOUR = 3_600_000;
const settings = { absoluteTimeoutMs: HOUR, rememberMe: { absoluteTimeoutMs: 30 * 24 * HOUR } };

describe('rememberedDeadlineOf', () => {
  it('keeps the session deadline when no lifetime is asked for', () => {
    expect(rememberedDeadlineOf(settings, {}, 1000)).toBeUndefined();
    expect(rememberedDeadlineOf(settings, { rememberMe: false }, 1000)).toBeUndefined();
  });

  it('gives rememberMe the configured maximum, and caps an asked lifetime at it', () => {
    expect(rememberedDeadlineOf(settings, { rememberMe: true }, 1000)).toBe(1000 + 30 * 24 * HOUR);
    expect(rememberedDeadlineOf(settings, { absoluteTimeoutMs: 2 * HOUR }, 1000)).toBe(
      1000 + 2 * HOUR,
    );
    expect(rememberedDeadlineOf(settings, { absoluteTimeoutMs: 365 * 24 * HOUR }, 1000)).toBe(
      1000 + 30 * 24 * HOUR,
    );
  });

  it('refuses a lifetime without the rememberMe option, or one that is not a positive integer', () => {
    expect(() =>
      rememberedDeadlineOf({ absoluteTimeoutMs: HOUR }, { rememberMe: true }, 0),
    ).toThrow(SessionError);
    expect(() => rememberedDeadlineOf(settings, { absoluteTimeoutMs: -5 }, 0)).toThrow(
      /positive integer/,
    );
  });
});

describe('isRemembered', () => {
  it('is true only for a lifetime longer than the default', () => {
    expect(isRemembered(undefined, HOUR)).toBe(false);
    expect(isRemembered({ createdAt: 0, absoluteDeadline: HOUR }, HOUR)).toBe(false);
    expect(isRemembered({ createdAt: 0, absoluteDeadline: HOUR + 1 }, HOUR)).toBe(true);
  });
});

describe('rememberMe, cookie.persistent and jwt options', () => {
  const problemsOf = (raw: object): string[] => {
    try {
      resolveSessionOptions({ secrets: [SECRET], ...raw });
      return [];
    } catch (error) {
      expect(error).toBeInstanceOf(SessionOptionsError);
      return (error as Error).message
        .split('\n')
        .slice(1)
        .map((line) => line.replace(/^ {2}- /, ''));
    }
  };

  it('resolves rememberMe, cookie.persistent and jwt with their defaults', () => {
    const resolved = resolveSessionOptions({
      secrets: [SECRET],
      cookie: { persistent: false },
      rememberMe: { absoluteTimeoutMs: 2 * 8 * HOUR },
      jwt: { keys: [{ kid: 'k', secret: SECRET }], responseHeader: 'X-Session-JWT' },
    });
    expect(resolved.cookie.persistent).toBe(false);
    expect(resolved.rememberMe).toEqual({ absoluteTimeoutMs: 16 * HOUR });
    expect(resolved.jwt).toEqual({
      keys: [{ kid: 'k', secret: SECRET }],
      ttlMs: 60_000,
      responseHeader: 'x-session-jwt',
    });
    expect(resolveSessionOptions({ secrets: [SECRET] }).rememberMe).toBeUndefined();
    expect(resolveSessionOptions({ secrets: [SECRET] }).jwt).toBeUndefined();
  });

  it('names a rememberMe lifetime that is not longer than absoluteTimeoutMs', () => {
    expect(
      problemsOf({ absoluteTimeoutMs: HOUR, rememberMe: { absoluteTimeoutMs: HOUR } }),
    ).toEqual([
      `rememberMe.absoluteTimeoutMs (${HOUR}) must be longer than absoluteTimeoutMs (${HOUR})`,
    ]);
    expect(problemsOf({ rememberMe: {} })).toEqual([
      'rememberMe.absoluteTimeoutMs must be at least 1000 (one second)',
      'rememberMe.absoluteTimeoutMs must be an integer number',
    ]);
  });

  it('names duplicate kids and keys of either kind or none', () => {
    expect(
      problemsOf({
        jwt: {
          keys: [{ kid: 'a', secret: SECRET }, { kid: 'a', secret: SECRET }, { kid: 'b' }],
        },
      }),
    ).toEqual([
      "jwt.keys[1].kid 'a' is used twice; jwt.keys[2] must have either secret or privateKey",
    ]);
  });
});
