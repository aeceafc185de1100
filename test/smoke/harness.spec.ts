import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import {
  adminCall,
  DATA_DIR_PREFIX,
  findOnPath,
  getFreePort,
  isAlive,
  killAllRecordedSync,
  MAX_HARNESS_PORT,
  PID_DIR,
  pidFilePath,
  PollAbortedError,
  PortInUseError,
  reapOrphans,
  RedisNotInstalledError,
  RedisProcess,
  requireRedisBinaries,
  startOnFreePort,
  startStandalone,
  waitFor,
} from '../harness/index.js';

const INSTALL_DEBIAN = 'apt-get install redis-server redis-tools';
const INSTALL_MAC = 'brew install redis';

function expectGone(pid: number): void {
  expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
}

/** Resolves once `child` has exited (and been reaped, so its PID is really gone). */
function exitOf(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

function pidFileText(): string {
  return existsSync(pidFilePath()) ? readFileSync(pidFilePath(), 'utf8') : '';
}

describe('redis binary check', () => {
  it('throws at once, naming the install commands, when redis-server is not on PATH', () => {
    expect(findOnPath('redis-server', '')).toBeUndefined();
    const started = Date.now();
    let error: unknown;
    try {
      requireRedisBinaries('');
    } catch (caught) {
      error = caught;
    }
    expect(Date.now() - started).toBeLessThan(100);
    expect(error).toBeInstanceOf(RedisNotInstalledError);
    const message = (error as Error).message;
    expect(message).toContain('redis-server');
    expect(message).toContain(INSTALL_DEBIAN);
    expect(message).toContain(INSTALL_MAC);
  });

  it('fails the same way when PATH only has directories without redis', () => {
    const dir = mkdtempSync(join(tmpdir(), `${DATA_DIR_PREFIX}path-`));
    try {
      expect(() => requireRedisBinaries(dir)).toThrow(INSTALL_DEBIAN);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('finds the real binaries on the default PATH', () => {
    const { server, cli } = requireRedisBinaries();
    expect(server).toMatch(/redis-server$/);
    expect(cli).toMatch(/redis-cli$/);
  });
});

describe('free ports', () => {
  it('hands out distinct loopback ports below the limit, with a free cluster bus port', async () => {
    const ports = await Promise.all([1, 2, 3, 4].map(() => getFreePort({ clusterBus: true })));
    expect(new Set(ports).size).toBe(4);
    for (const port of ports) expect(port).toBeLessThan(MAX_HARNESS_PORT);
  });
});

describe('startup errors', () => {
  it('reports a server that exits during startup with its log', async () => {
    const dir = mkdtempSync(join(tmpdir(), `${DATA_DIR_PREFIX}bad-`));
    try {
      const port = await getFreePort();
      const error = await RedisProcess.start({
        port,
        dir,
        extraArgs: ['--no-such-option', 'yes'],
      }).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(PollAbortedError);
      expect((error as Error).message).toContain('exited during startup');
      expect((error as Error).message).toContain('no-such-option');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a taken port as PortInUseError (startOnFreePort then retries)', async () => {
    const dir = mkdtempSync(join(tmpdir(), `${DATA_DIR_PREFIX}busy-`));
    const blocker = createServer((socket) => socket.destroy());
    try {
      const port = await getFreePort();
      await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
      await expect(RedisProcess.start({ port, dir })).rejects.toBeInstanceOf(PortInUseError);

      let calls = 0;
      const retried = await startOnFreePort((free) => {
        calls += 1;
        return { port: calls === 1 ? port : free, dir: join(dir, String(calls)) };
      });
      try {
        expect(calls).toBe(2);
        expect(retried.port).not.toBe(port);
        expect(await adminCall(retried, 'PING')).toBe('PONG');
      } finally {
        await retried.stop();
      }
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('process cleanup', () => {
  it('records PIDs in the pid file and stop() kills them and deletes the data dir', async () => {
    const redis = await startStandalone();
    const [pid] = redis.pids();
    if (pid === undefined) throw new Error('no pid');
    expect(pidFileText()).toContain(`pid ${pid} ${redis.port} redis-server`);
    expect(existsSync(redis.process.dir)).toBe(true);
    await redis.stop();
    expectGone(pid);
    expect(pidFileText()).not.toContain(`pid ${pid} `);
    expect(existsSync(redis.process.dir)).toBe(false);
  });

  it('killAllRecordedSync() (what the exit and signal hooks run) kills everything at once', async () => {
    const redis = await startStandalone();
    const [pid] = redis.pids();
    if (pid === undefined) throw new Error('no pid');
    killAllRecordedSync();
    await waitFor(
      `pid ${pid} to be gone`,
      async () => {
        if (isAlive(pid)) throw new Error('alive');
      },
      { timeoutMs: 5000, intervalMs: 20 },
    );
    expect(existsSync(pidFilePath())).toBe(false);
    expect(existsSync(redis.process.dir)).toBe(false);
    await redis.stop(); // still safe afterwards
  });

  it('reapOrphans() kills Redis servers of dead owners only, and nothing else', async () => {
    const { server } = requireRedisBinaries();
    const root = mkdtempSync(join(tmpdir(), `${DATA_DIR_PREFIX}orphan-`));
    const children: ChildProcess[] = [];
    const spawnRedis = async (): Promise<{ child: ChildProcess; port: number }> => {
      const port = await getFreePort();
      const dir = join(root, String(port));
      mkdirSync(dir);
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir];
      args.push('--save', '', '--appendonly', 'no', '--logfile', join(dir, 'redis.log'));
      const child = spawn(server, args, { stdio: 'ignore' });
      children.push(child);
      await waitFor(
        `orphan redis on ${port}`,
        async () => {
          if ((await adminCall({ host: '127.0.0.1', port }, 'PING')) !== 'PONG') throw new Error();
        },
        { timeoutMs: 10000, intervalMs: 25 },
      );
      return { child, port };
    };
    const files: string[] = [];
    try {
      // An owner PID that is certainly dead: a process that already exited.
      const dead = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
      await exitOf(dead);
      const deadOwner = dead.pid as number;
      expect(isAlive(deadOwner)).toBe(false);

      const orphan = await spawnRedis(); // listed with its port: must be killed
      const wrongPort = await spawnRedis(); // listed with another port (PID reuse): spared
      const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' }); // not redis: spared
      children.push(sleeper);
      const liveOwned = await spawnRedis(); // listed by a live owner: spared
      const orphanDir = mkdtempSync(join(tmpdir(), `${DATA_DIR_PREFIX}orphan-data-`));

      mkdirSync(PID_DIR, { recursive: true });
      const deadFile = join(PID_DIR, `${deadOwner}.pids`);
      const liveFile = join(PID_DIR, `${sleeper.pid}.pids`);
      files.push(deadFile, liveFile);
      writeFileSync(
        deadFile,
        [
          `pid ${orphan.child.pid} ${orphan.port} redis-server`,
          `pid ${wrongPort.child.pid} ${wrongPort.port + 1} redis-server`,
          `pid ${sleeper.pid} 0 redis-server`,
          `dir ${orphanDir}`,
          `dir /etc`,
          '',
        ].join('\n'),
      );
      writeFileSync(liveFile, `pid ${liveOwned.child.pid} ${liveOwned.port} redis-server\n`);

      const report = reapOrphans();

      // Another harness run may reap the same file concurrently, and may also have reaped real
      // orphans here: check outcomes, and that nothing spared shows up in the report.
      await exitOf(orphan.child);
      expect(orphan.child.signalCode).toBe('SIGKILL');
      if (report.files.includes(deadFile)) expect(report.killed).toContain(orphan.child.pid);
      for (const spared of [wrongPort.child, sleeper, liveOwned.child]) {
        expect(report.killed).not.toContain(spared.pid);
        expect(isAlive(spared.pid as number)).toBe(true);
      }
      expect(report.files).not.toContain(liveFile);
      expect(report.dirs).not.toContain('/etc');
      expect(existsSync(deadFile)).toBe(false);
      expect(existsSync(liveFile)).toBe(true);
      expect(existsSync(orphanDir)).toBe(false);
      expect(existsSync('/etc')).toBe(true);
    } finally {
      for (const child of children) child.kill('SIGKILL');
      await Promise.all(children.map(exitOf));
      for (const file of files) rmSync(file, { force: true });
      rmSync(root, { recursive: true, force: true });
    }
  });
});
