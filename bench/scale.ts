/**
 * `npm run bench -- --scale`: 1,000,000 sessions in Redis (total and per-session memory), and
 * listing the sessions of one user who has 10,000 of them.
 *
 * Sessions are written through this library's `RedisSessionStore.commit` (the same Lua script and
 * hash layout requests use), not over HTTP: a million requests would take minutes on two cores
 * and measure the app, not Redis memory.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { createSessionToken, sessionKeyOf } from '../src/security/session-token.js';
import { RedisSessionStore } from '../src/session/stores/redis/redis-session-store.js';
import { SessionService } from '../src/session/session.service.js';
import { startStandalone } from '../test/harness/standalone.js';
import type { BenchOptions } from './options.js';
import { pin } from './processes.js';
import { usedMemory } from './redis-stats.js';

const IDLE_MS = 30 * 60_000;
const ABSOLUTE_MS = 8 * 3_600_000;

function percentile(sorted: readonly number[], share: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)] ?? Number.NaN;
}

function timings(samples: number[]): { median: number; p99: number; min: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    median: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    min: sorted[0] ?? Number.NaN,
  };
}

export async function runScale(
  options: BenchOptions,
  pinning: boolean,
  dir: string,
  log: (message: string) => void,
): Promise<void> {
  const redis = await startStandalone();
  if (pinning) pin(redis.pids(), '0');
  const client = new Redis(redis.url);
  const store = new RedisSessionStore({ client, commandTimeoutMs: 30_000 });
  try {
    const payload = JSON.stringify('p'.repeat(options.payloadBytes - 2));
    const before = await usedMemory([client]);
    const total = options.scaleSessions;
    const userKeys: string[] = [];
    const started = Date.now();
    let next = 0;
    const worker = async () => {
      while (next < total) {
        const index = next++;
        const key = sessionKeyOf(createSessionToken());
        const now = Date.now();
        const result = await store.commit(key, {
          now,
          idleTimeoutMs: IDLE_MS,
          create: { absoluteDeadline: now + ABSOLUTE_MS },
          set: { payload },
          delete: [],
        });
        if (result.status !== 'committed') throw new Error(`commit ${index}: ${result.status}`);
        if (index < options.scaleUserSessions) userKeys.push(`{${key.tag}}${key.secretHash}`);
        if ((index + 1) % 100_000 === 0) log(`  ${index + 1} sessions written`);
      }
    };
    await Promise.all(Array.from({ length: 256 }, worker));
    const writeSeconds = (Date.now() - started) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 500));
    const after = await usedMemory([client]);
    const dbsize = await client.dbsize();
    const sample: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const key = await client.randomkey();
      if (key) sample.push(Number(await client.memory('USAGE', key, 'SAMPLES', 0)));
    }
    const sampleMean = sample.reduce((a, b) => a + b, 0) / sample.length;
    log(
      `  ${dbsize} keys in ${writeSeconds.toFixed(1)} s; used_memory ${(after / 2 ** 20).toFixed(0)} MiB`,
    );

    // Listing: SessionService.listSessions, when it exists, reads the per-principal sorted set.
    const hasListing =
      typeof (SessionService.prototype as unknown as Record<string, unknown>).listSessions ===
      'function';
    const indexKey = 'sess:user:{bench-user}';
    const deadline = Date.now() + IDLE_MS;
    for (let i = 0; i < userKeys.length; i += 1000) {
      const args: (string | number)[] = [];
      for (const member of userKeys.slice(i, i + 1000)) args.push(deadline, member);
      await client.zadd(indexKey, ...args);
    }
    const zrange: number[] = [];
    const withMetadata: number[] = [];
    let members = 0;
    for (let i = 0; i < 100; i++) {
      const t0 = process.hrtime.bigint();
      const listed = await client.zrangebyscore(indexKey, Date.now(), '+inf');
      const t1 = process.hrtime.bigint();
      const pipeline = client.pipeline();
      for (const member of listed) pipeline.hmget(`sess:${member}`, 'c', 'a', 'x');
      await pipeline.exec();
      const t2 = process.hrtime.bigint();
      members = listed.length;
      zrange.push(Number(t1 - t0) / 1e6);
      withMetadata.push(Number(t2 - t0) / 1e6);
    }
    const results = {
      date: new Date().toISOString(),
      sessions: dbsize,
      payloadBytes: options.payloadBytes,
      writeSeconds,
      writesPerSecond: total / writeSeconds,
      usedMemoryBytes: after,
      usedMemoryGrowthBytes: after - before,
      usedMemoryPerSession: (after - before) / total,
      memoryUsageSampleMean: sampleMean,
      listing: {
        listSessionsAvailable: hasListing,
        method: hasListing
          ? 'SessionService.listSessions exists, but this run measured the raw index as below'
          : 'SessionService.listSessions is not in the library yet: measured ZRANGEBYSCORE on a 10,000-member sorted set as the index would hold it',
        members,
        zrangebyscoreMs: timings(zrange),
        zrangebyscorePlusPipelinedHmgetMs: timings(withMetadata),
      },
    };
    writeFileSync(join(dir, 'scale.json'), `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(
      [
        '',
        `### Scale run (${results.date})`,
        '',
        `| Sessions | payload | Redis used_memory | per session (used_memory growth) | per session (MEMORY USAGE, 1,000 sampled) | write rate |`,
        '| ---: | ---: | ---: | ---: | ---: | ---: |',
        `| ${dbsize} | ${options.payloadBytes} B | ${(after / 2 ** 20).toFixed(0)} MiB | ${Math.round(results.usedMemoryPerSession)} B | ${Math.round(sampleMean)} B | ${Math.round(results.writesPerSecond)}/s |`,
        '',
        `Listing a user's ${members} sessions (${results.listing.method}):`,
        `ZRANGEBYSCORE median ${results.listing.zrangebyscoreMs.median.toFixed(2)} ms, p99 ${results.listing.zrangebyscoreMs.p99.toFixed(2)} ms;`,
        `with each listed session's created/last-access/deadline fetched (pipelined HMGET): median ${results.listing.zrangebyscorePlusPipelinedHmgetMs.median.toFixed(2)} ms, p99 ${results.listing.zrangebyscorePlusPipelinedHmgetMs.p99.toFixed(2)} ms.`,
        `Wrote ${join(dir, 'scale.json')}`,
        '',
      ].join('\n'),
    );
  } finally {
    client.disconnect();
    await redis.stop();
  }
}
