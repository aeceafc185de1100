/** Command-line options of `npm run bench`. */
import { CONTENDER_KINDS, type ContenderKind } from './protocol.js';

export interface BenchOptions {
  readonly mode: 'default' | 'quick' | 'scale';
  /** Seconds per measured run. */
  readonly duration: number;
  /** Seconds of warm-up before the runs of a scenario. */
  readonly warmup: number;
  readonly runs: number;
  readonly connections: number;
  /** Sessions the read/write/increment scenarios spread their requests over. */
  readonly sessions: number;
  /** Sessions with a 1 KB payload for the memory measurement. */
  readonly memorySessions: number;
  /** Sequential requests per scenario while MONITOR counts commands. */
  readonly countRequests: number;
  readonly contenders: readonly ContenderKind[];
  readonly profile: boolean;
  /** Scale run: sessions to write and the size of the sessions of the listing user. */
  readonly scaleSessions: number;
  readonly scaleUserSessions: number;
  readonly payloadBytes: number;
}

export const USAGE = `Usage: npm run bench -- [--quick | --scale] [options]

  (default)           all contenders and scenarios: ${'5'} s per run, 1 s warm-up, 3 runs, 10 connections
  --quick             smoke run (~1 minute): 1 run of 1.5 s per scenario, fewer sessions, no profile
  --scale             1,000,000 sessions in Redis, and listing a user's 10,000 sessions
  --duration=S --warmup=S --runs=N --connections=N
  --contenders=a,b    subset of: ${CONTENDER_KINDS.join(', ')}
  --no-profile        skip the CPU profile of the hot path
  --scale-sessions=N  sessions of the scale run (default 1000000)
`;

/** The value of `--name=value` in `argv`, if given. */
export function flag(argv: readonly string[], name: string): string | undefined {
  const prefix = `--${name}=`;
  return argv.find((arg) => arg.startsWith(prefix))?.slice(prefix.length);
}

function numberFlag(argv: readonly string[], name: string, fallback: number): number {
  const raw = flag(argv, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

export function parseOptions(argv: readonly string[]): BenchOptions {
  const known =
    /^--(quick|scale|no-profile|help|(duration|warmup|runs|connections|contenders|scale-sessions)=.+)$/;
  const unknown = argv.filter((arg) => !known.test(arg));
  if (unknown.length > 0 || argv.includes('--help')) {
    throw new Error(`${unknown.length ? `unknown option ${unknown.join(' ')}\n` : ''}${USAGE}`);
  }
  const quick = argv.includes('--quick');
  const scale = argv.includes('--scale');
  const contenders = (flag(argv, 'contenders')?.split(',') ?? [...CONTENDER_KINDS]).map((name) => {
    if (!(CONTENDER_KINDS as readonly string[]).includes(name)) {
      throw new Error(`unknown contender ${name}\n${USAGE}`);
    }
    return name as ContenderKind;
  });
  // The baseline runs first: the half-rate latency scenario needs its maximum rate.
  contenders.sort((a, b) => CONTENDER_KINDS.indexOf(a) - CONTENDER_KINDS.indexOf(b));
  return {
    mode: scale ? 'scale' : quick ? 'quick' : 'default',
    duration: numberFlag(argv, 'duration', quick ? 1.5 : 5),
    warmup: numberFlag(argv, 'warmup', quick ? 0.5 : 1),
    runs: Math.round(numberFlag(argv, 'runs', quick ? 1 : 3)),
    connections: Math.round(numberFlag(argv, 'connections', 10)),
    sessions: quick ? 200 : 1000,
    memorySessions: quick ? 1000 : 10_000,
    countRequests: quick ? 50 : 200,
    contenders,
    profile: !quick && !argv.includes('--no-profile'),
    scaleSessions: Math.round(numberFlag(argv, 'scale-sessions', 1_000_000)),
    scaleUserSessions: 10_000,
    payloadBytes: 1024,
  };
}
