import { type ChildProcess, spawn } from 'node:child_process';
import { getFreePort } from '../harness/index.js';

/** A running `scripts/demo-cluster.js`: its URL, its instances' PIDs, and how to stop it. */
export interface DemoProcess {
  readonly url: string;
  readonly instancePids: readonly number[];
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts the demo (built sample app, three instances, nginx) and waits until it is ready. */
export async function startDemo(
  args: readonly string[] = [],
  env: Record<string, string> = {},
): Promise<DemoProcess> {
  const port = await getFreePort();
  const child = spawn(
    process.execPath,
    ['scripts/demo-cluster.js', '--port', String(port), ...args],
    {
      env: { ...process.env, SESSION_SECRETS: 'demo-cluster-test-secret-0123456789abcdef', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 40_000;
  while (!output.includes('demo ready')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`demo:cluster did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const instancePids = [...output.matchAll(/instance app-\d pid=(\d+)/g)].map((m) => Number(m[1]));
  return {
    url: `http://127.0.0.1:${port}`,
    instancePids,
    process: child,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      await exited;
    },
  };
}
