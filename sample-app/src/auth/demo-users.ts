import { timingSafeEqual } from 'node:crypto';

/** The demo users; a real app checks a password hash in its user store. */
const DEMO_USERS: Readonly<Record<string, string>> = {
  alice: 'alice-password',
  bob: 'bob-password',
};

/** The user's name when the password matches, else `undefined`. */
export function checkDemoCredentials(username: string, password: string): string | undefined {
  const expected = DEMO_USERS[username];
  if (expected === undefined) return undefined;
  const given = Buffer.from(password);
  const wanted = Buffer.from(expected);
  return given.length === wanted.length && timingSafeEqual(given, wanted) ? username : undefined;
}
