import { Redis } from 'ioredis';

/** One command a client sent, as MONITOR shows it. */
export interface MonitoredCommand {
  readonly name: string;
  readonly args: readonly string[];
}

/**
 * Counts the commands clients send to a Redis server with MONITOR. Commands that scripts run
 * inside Redis (source "lua") are left out: they cost no round trip.
 */
export class RedisMonitor {
  private constructor(
    private readonly monitor: Redis,
    private readonly probe: Redis,
    private readonly seen: MonitoredCommand[],
  ) {}

  static async start(url: string): Promise<RedisMonitor> {
    const seen: MonitoredCommand[] = [];
    // monitor() opens a second connection; the first one is not needed.
    const base = new Redis(url);
    const monitor = await base.monitor();
    await base.quit();
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      if (source !== 'lua') seen.push({ name: args[0]!.toLowerCase(), args: args.slice(1) });
    });
    return new RedisMonitor(monitor, new Redis(url), seen);
  }

  /**
   * The commands sent while `action` ran. A marker command sent after it, and waited for,
   * proves MONITOR has delivered everything before it.
   */
  async during(action: () => Promise<unknown>): Promise<MonitoredCommand[]> {
    await this.flush();
    const start = this.seen.length;
    await action();
    await this.flush();
    return this.seen
      .slice(start)
      .filter((command) => !(command.name === 'echo' && command.args[0]?.startsWith('marker-')));
  }

  /** Every command seen so far that `predicate` accepts. */
  seenMatching(predicate: (command: MonitoredCommand) => boolean): MonitoredCommand[] {
    return this.seen.filter(predicate);
  }

  async stop(): Promise<void> {
    this.monitor.disconnect();
    await this.probe.quit();
  }

  private async flush(): Promise<void> {
    const marker = `marker-${Math.random().toString(36).slice(2)}`;
    await this.probe.echo(marker);
    const deadline = Date.now() + 5000;
    while (!this.seen.some((c) => c.name === 'echo' && c.args[0] === marker)) {
      if (Date.now() > deadline) throw new Error('MONITOR did not deliver the marker within 5 s');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}
