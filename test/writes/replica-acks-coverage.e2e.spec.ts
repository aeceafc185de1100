import { Redis } from 'ioredis';
import {
  createSessionToken,
  type SessionKey,
  sessionKeyOf,
} from '../../src/security/session-token.js';
import { RedisSessionStore } from '../../src/index.js';
import { useSentinel } from '../harness/index.js';
import { type MonitoredCommand, RedisMonitor } from '../support/redis-monitor.js';

// One master and one replica: `WAIT 1` is answered by a real replica.
const group = useSentinel();
const IDLE = 60_000;

const isScript = (command: MonitoredCommand) =>
  command.name === 'eval' || command.name === 'evalsha';

/**
 * What the Sentinels send the master on their own, every second: PING, INFO and PUBLISH on
 * their hello channel. MONITOR shows them beside the store's commands (one landed between a
 * destroy and its WAIT in a CI run); they are not the store's.
 */
const isSentinelTraffic = (command: MonitoredCommand) =>
  command.name === 'ping' ||
  command.name === 'info' ||
  (command.name === 'publish' && command.args[0] === '__sentinel__:hello');

/** Each script call is followed by a WAIT, and the last command is a WAIT. */
function expectEveryScriptWaited(commands: readonly MonitoredCommand[]): void {
  const names = commands
    .filter((command) => !isSentinelTraffic(command))
    .map((command) => (isScript(command) ? 'script' : command.name));
  expect(names.length).toBeGreaterThan(0);
  expect(names[names.length - 1]).toBe('wait');
  names.forEach((name, i) => {
    if (name === 'script') expect(names[i + 1]).toBe('wait');
  });
}

describe('replicaAcks covers every write of the store (master + replica)', () => {
  let client: Redis;
  let admin: Redis;
  let replica: Redis;
  let monitor: RedisMonitor;
  let store: RedisSessionStore;

  beforeAll(async () => {
    const [master, replicaNode] = group().nodes as [
      { host: string; port: number },
      { host: string; port: number },
    ];
    client = new Redis(master);
    admin = new Redis(master);
    replica = new Redis(replicaNode);
    monitor = await RedisMonitor.start(`redis://${master.host}:${master.port}`);
    store = new RedisSessionStore({
      client,
      prefix: 'acks:',
      replicaAcks: 1,
      replicaAckTimeoutMs: 1000,
    });
  });
  afterAll(async () => {
    await monitor.stop();
    await Promise.all([client.quit(), admin.quit(), replica.quit()]);
  });

  async function created(): Promise<SessionKey> {
    const key = sessionKeyOf(createSessionToken());
    const now = Date.now();
    const result = await store.commit(key, {
      now,
      idleTimeoutMs: IDLE,
      create: { absoluteDeadline: now + 3_600_000 },
      set: { a: '1' },
      delete: [],
    });
    expect(result).toMatchObject({ status: 'committed', replicas: 1 });
    return key;
  }

  it('a destroy is followed by WAIT, and the replica has lost the session when it returns', async () => {
    const key = await created();
    const commands = await monitor.during(() => store.destroy(key));
    expectEveryScriptWaited(commands);
    expect(await replica.exists(store.keyOf(key))).toBe(0);
  });

  it('an index update is followed by WAIT', async () => {
    const key = await created();
    const commands = await monitor.during(() =>
      store.updateIndex('p1', { now: Date.now(), add: { key, deadline: Date.now() + 60_000 } }),
    );
    expectEveryScriptWaited(commands);
    expect(await replica.zcard(store.indexKeyOf('p1'))).toBe(1);
  });

  it('after SCRIPT FLUSH, the WAIT still follows the write of a commit, a destroy and an index update', async () => {
    const key = await created();
    await admin.script('FLUSH');
    const commit = await monitor.during(() =>
      store.commit(key, { now: Date.now(), idleTimeoutMs: IDLE, set: { b: '2' }, delete: [] }),
    );
    expectEveryScriptWaited(commit);
    expect(await replica.hget(store.keyOf(key), '.b')).toBe('2');
    await admin.script('FLUSH');
    const index = await monitor.during(() =>
      store.updateIndex('p2', { now: Date.now(), add: { key, deadline: Date.now() + 60_000 } }),
    );
    expectEveryScriptWaited(index);
    await admin.script('FLUSH');
    const destroy = await monitor.during(() => store.destroy(key));
    expectEveryScriptWaited(destroy);
    expect(await replica.exists(store.keyOf(key))).toBe(0);
  });
});
