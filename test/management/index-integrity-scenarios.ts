import type { INestApplication } from '@nestjs/common';
import { SessionStoreUnavailableError } from '../../src/index.js';
import type { IndexChange, SessionChange } from '../../src/session/stores/session-store.js';
import {
  Browser,
  createRevocationApp,
  freshPrincipal,
  revokeAll,
  type RevocationApp,
  type StoreKind,
} from './revocation-test-app.js';

const addsToIndex = (...args: unknown[]) => (args[1] as IndexChange).add !== undefined;
const readsIndexOnly = (...args: unknown[]) => {
  const change = args[1] as IndexChange;
  return change.add === undefined && (change.remove ?? []).length === 0;
};
const isRegeneration = (...args: unknown[]) => {
  const change = args[1] as SessionChange;
  return change.moveTo !== undefined && change.rotation === undefined;
};
const lostConnection = () =>
  SessionStoreUnavailableError.because('index', new Error('connection lost (test)'));

/** Boots an app per `describe` and closes it afterwards. */
function useApp(kind: StoreKind, options: Parameters<typeof createRevocationApp>[1] = {}) {
  let subject: RevocationApp;
  beforeAll(async () => {
    subject = await createRevocationApp(kind, options);
  });
  afterAll(() => subject.close());
  return () => subject;
}

/**
 * The principal index under faults and races: a session is never live and unlisted, the cap is
 * exact under concurrent sign-ins, a lost double sign-in is an error (never a false success), and
 * a sign-in costs the same however many sessions the principal has.
 */
export function describeIndexIntegrity(kind: StoreKind, options: { bulk?: boolean } = {}): void {
  describe('defaults', () => {
    const subject = useApp(kind);
    const app = (): INestApplication => subject().app;

    it('refuses a sign-in whose index update fails (503): nobody is signed in unlisted', async () => {
      const user = freshPrincipal();
      const browser = new Browser(app);
      await browser.set({ cart: 1 });
      subject().store.failNext('updateIndex', lostConnection(), addsToIndex);
      const refused = await browser.signIn(user);
      expect(refused.status).toBe(503);
      expect(await browser.principal()).toBeNull();
      // Once the store is back, the same browser signs in and is listed.
      expect((await browser.signIn(user)).status).toBe(200);
      const listed = (await browser.list()).body as { handle: string }[];
      expect(listed.map((row) => row.handle)).toEqual([await browser.principalHandle()]);
    });

    it('revokeSession whose destroy fails keeps the session listed; a retry ends it', async () => {
      const user = freshPrincipal();
      const [owner, victim] = [new Browser(app), new Browser(app)];
      await owner.signIn(user);
      const handle = (await victim.signIn(user)).body.id as string;
      subject().store.failNext('destroy', lostConnection());
      expect((await owner.revoke(handle)).status).toBe(503);
      expect(await victim.principal()).toBe(user);
      const rows = (await owner.list()).body as { handle: string }[];
      expect(rows.map((row) => row.handle)).toContain(handle);
      expect((await owner.revoke(handle)).status).toBe(204);
      expect(await victim.principal()).toBeNull();
    });

    it('revokeAllSessions whose destroy fails reports it and keeps the survivor listed', async () => {
      const user = freshPrincipal();
      const browsers = [new Browser(app), new Browser(app), new Browser(app)];
      for (const browser of browsers) await browser.signIn(user);
      subject().store.failNext('destroy', lostConnection());
      expect((await revokeAll(app(), user)).status).toBe(503);
      const alive: Browser[] = [];
      for (const browser of browsers) if ((await browser.principal()) === user) alive.push(browser);
      expect(alive).toHaveLength(1);
      const rows = (await alive[0]!.list()).body as { handle: string }[];
      expect(rows.map((row) => row.handle)).toEqual([await alive[0]!.principalHandle()]);
      expect((await revokeAll(app(), user)).body).toEqual({ revoked: 1 });
      expect(await alive[0]!.principal()).toBeNull();
    });

    it('a double-submitted sign-in: one wins, the other gets a typed 409, never a false 200', async () => {
      const user = freshPrincipal();
      const tab = new Browser(app);
      await tab.set({ cart: 1 });
      const twin = tab.clone();
      const signedInBefore = subject().events.filter((e) => e.name === 'signed-in').length;
      void subject().store.barrier('commit', 2, isRegeneration);
      const [first, second] = await Promise.all([tab.signIn(user), twin.signIn(user)]);
      expect([first.status, second.status].sort()).toEqual([200, 409]);
      const winner = first.status === 200 ? tab : twin;
      const lost = first.status === 200 ? second : first;
      expect(lost.body.error).toBe('SessionReplacedError');
      // The loser's response leaves the cookie alone: the winner's new cookie survives.
      expect(lost.headers['set-cookie']).toBeUndefined();
      expect(await winner.principal()).toBe(user);
      const signedIn = subject().events.filter((e) => e.name === 'signed-in');
      expect(signedIn.length - signedInBefore).toBe(1);
    });

    it('a sign-in gets back a count, not the member list, however many sessions exist', async () => {
      const user = freshPrincipal();
      const calls = subject().store.indexCalls;
      const first = calls.length;
      for (let i = 0; i < 20; i += 1)
        expect((await new Browser(app).signIn(user)).status).toBe(200);
      const signIns = calls.slice(first).filter((call) => call.change.add !== undefined);
      expect(signIns).toHaveLength(20);
      for (const call of signIns) expect(call.result?.sessions).toEqual([]);
      expect(signIns.at(-1)!.result?.count).toBe(20);
    });
  });

  if (options.bulk) {
    describe('defaults, one account signing in in a loop', () => {
      const subject = useApp(kind);
      const app = (): INestApplication => subject().app;

      it('bounds the index at 1000 sessions: the oldest are signed out', async () => {
        const user = freshPrincipal();
        const oldest = new Browser(app);
        await oldest.signIn(user);
        let last = oldest;
        for (let i = 0; i < 1000; i += 1) {
          last = new Browser(app);
          expect((await last.signIn(user)).status).toBe(200);
        }
        expect(((await last.list()).body as unknown[]).length).toBe(1000);
        expect(await oldest.principal()).toBeNull();
        expect(await last.principal()).toBe(user);
      }, 60_000);
    });
  }

  describe('limit 1, sign-out-oldest', () => {
    const subject = useApp(kind, { principalSessions: { limit: 1 } });
    const app = (): INestApplication => subject().app;

    it('two concurrent sign-ins of a signed-in user leave exactly one session', async () => {
      const user = freshPrincipal();
      const [desktop, laptop, phone] = [new Browser(app), new Browser(app), new Browser(app)];
      expect((await desktop.signIn(user)).status).toBe(200);
      // Both index entries land together, and any re-read of the index waits for both.
      void subject().store.barrier('updateIndex', 2, addsToIndex);
      void subject().store.barrier('updateIndex', 2, readsIndexOnly);
      const results = await Promise.all([laptop.signIn(user), phone.signIn(user)]);
      for (const result of results) expect([200, 409]).toContain(result.status);
      const signedIn: Browser[] = [];
      for (const browser of [desktop, laptop, phone]) {
        if ((await browser.principal()) === user) signedIn.push(browser);
      }
      expect(signedIn).toHaveLength(1);
      expect(signedIn[0]).not.toBe(desktop);
    });
  });

  describe('limit 1, refuse', () => {
    const subject = useApp(kind, { principalSessions: { limit: 1, onLimit: 'refuse' } });
    const app = (): INestApplication => subject().app;

    it('two concurrent sign-ins of one user: exactly one gets in', async () => {
      const user = freshPrincipal();
      const [laptop, phone] = [new Browser(app), new Browser(app)];
      void subject().store.barrier('updateIndex', 2);
      const results = await Promise.all([laptop.signIn(user), phone.signIn(user)]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      const signedIn = [await laptop.principal(), await phone.principal()].filter(Boolean);
      expect(signedIn).toEqual([user]);
    });
  });
}
