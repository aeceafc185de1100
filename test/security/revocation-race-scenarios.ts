import type { INestApplication } from '@nestjs/common';
import type { SessionChange } from '../../src/session/stores/session-store.js';
import {
  Browser,
  createRevocationApp,
  freshPrincipal,
  revokeAll,
  type RevocationApp,
  type StoreKind,
} from '../management/revocation-test-app.js';

/** The shortest rotation interval the options allow. */
const INTERVAL = 1000;
/** Waits until the token of a session signed in now is due for rotation (not a race window). */
const untilRotationDue = () => new Promise((resolve) => setTimeout(resolve, INTERVAL + 100));

/** A regeneration (sign-in, sign-out): a move that is not a periodic rotation. */
const isRegeneration = (...args: unknown[]) => {
  const change = args[1] as SessionChange;
  return change.moveTo !== undefined && change.rotation === undefined;
};

/**
 * "Sign out everywhere", revoking one session, and logging out, each racing a token move
 * (rotation without grace, or a regeneration): after the revocation or logout returns, no token
 * of the session works, whichever way the race went. The window is held open with a gate in
 * front of the real store, so the bad interleaving happens every time.
 */
export function describeRevocationRaces(kind: StoreKind): void {
  let subject: RevocationApp;
  const app = (): INestApplication => subject.app;

  beforeAll(async () => {
    subject = await createRevocationApp(kind, { rotation: { intervalMs: INTERVAL, graceMs: 0 } });
  });
  afterAll(() => subject.close());

  /** A browser signed in as a new user whose token is due for rotation. */
  async function signedInDue(): Promise<{ user: string; victim: Browser; handle: string }> {
    const user = freshPrincipal();
    const victim = new Browser(app);
    const signedIn = await victim.signIn(user);
    expect(signedIn.status).toBe(200);
    await untilRotationDue();
    return { user, victim, handle: signedIn.body.id as string };
  }

  /** The victim's next request rotates its token; returns the tab holding the rotated token. */
  async function rotate(victim: Browser, user: string): Promise<Browser> {
    const before = victim.jar.header;
    expect(await victim.principal()).toBe(user);
    expect(victim.jar.header).not.toBe(before); // the response handed out the rotated token
    return victim;
  }

  it('revokeAllSessions racing a rotation leaves no usable token', async () => {
    const { user, victim } = await signedInDue();
    const gate = subject.store.hold('destroy');
    const revoking = revokeAll(app(), user);
    await gate.arrived; // the index was read: it names the token about to be replaced
    await rotate(victim, user);
    gate.release();
    expect((await revoking).status).toBe(200);
    expect(await victim.principal()).toBeNull();
  });

  it('revokeAllSessions racing a re-sign-in (regeneration) leaves no usable token', async () => {
    const user = freshPrincipal();
    const victim = new Browser(app);
    await victim.signIn(user);
    const gate = subject.store.hold('destroy');
    const revoking = revokeAll(app(), user);
    await gate.arrived;
    const again = await victim.signIn(user);
    gate.release();
    expect((await revoking).status).toBe(200);
    // The re-sign-in either lost (typed error) or was revoked with the rest.
    expect([200, 409]).toContain(again.status);
    expect(await victim.principal()).toBeNull();
  });

  it('revokeSession racing a rotation of that session leaves it unusable', async () => {
    const { user, victim, handle } = await signedInDue();
    const owner = new Browser(app);
    await owner.signIn(user);
    const gate = subject.store.hold('destroy');
    const revoking = owner.revoke(handle);
    await gate.arrived;
    await rotate(victim, user);
    gate.release();
    expect((await revoking).status).toBe(204);
    expect(await victim.principal()).toBeNull();
    expect(await owner.principal()).toBe(user);
  });

  it('revokeOtherSessions racing a rotation of another session leaves it unusable', async () => {
    const { user, victim } = await signedInDue();
    const owner = new Browser(app);
    await owner.signIn(user);
    const gate = subject.store.hold('destroy');
    const revoking = owner.revokeOthers();
    await gate.arrived;
    await rotate(victim, user);
    gate.release();
    expect((await revoking).status).toBe(200);
    expect(await victim.principal()).toBeNull();
    expect(await owner.principal()).toBe(user);
  });

  it('a sign-out racing a rotation (no grace) ends the rotated token too', async () => {
    const { user, victim } = await signedInDue();
    const otherTab = victim.clone();
    const gate = subject.store.hold('commit', isRegeneration);
    const signingOut = victim.signOut();
    await gate.arrived; // the sign-out loaded the session and is about to regenerate it
    await rotate(otherTab, user); // meanwhile another tab's request rotates the token
    gate.release();
    expect((await signingOut).status).toBe(200);
    expect(await otherTab.principal()).toBeNull();
    expect(await victim.principal()).toBeNull();
  });

  it('a req.session.regenerate() (passport logout) racing a rotation (no grace) ends the rotated token too', async () => {
    const { user, victim } = await signedInDue();
    const otherTab = victim.clone();
    const gate = subject.store.hold('commit', isRegeneration);
    const regenerating = victim.regenerate();
    await gate.arrived; // the regeneration loaded the session and is about to move it
    await rotate(otherTab, user); // meanwhile another tab's request rotates the token
    gate.release();
    expect((await regenerating).status).toBe(200);
    expect(await otherTab.principal()).toBeNull();
    expect(await victim.principal()).toBeNull();
  });

  it('a logout by destroy racing a rotation (no grace) ends the rotated token too', async () => {
    const { user, victim } = await signedInDue();
    const otherTab = victim.clone();
    const gate = subject.store.hold('destroy');
    const destroying = victim.destroy();
    await gate.arrived;
    await rotate(otherTab, user);
    gate.release();
    expect((await destroying).status).toBe(204);
    expect(await otherTab.principal()).toBeNull();
  });
}
