// `npm run demo:cluster [-- --sticky] [-- --port 8080]`: a Redis (REDIS_URL, or a redis-server it
// starts), three instances of the built sample app, and nginx in front, round robin by default or
// cookie-hash affinity with --sticky. Prints the URL and one line per instance with its PID;
// Ctrl-C (SIGINT/SIGTERM) stops everything it started.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2);
const sticky = args.includes('--sticky');
const portArg = args.indexOf('--port');
const proxyPort = portArg >= 0 ? Number(args[portArg + 1]) : Number(process.env.DEMO_PORT ?? 8080);
const INSTANCES = 3;
const children = [];
const workDir = mkdtempSync(join(tmpdir(), 'nds-demo-'));

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function findNginx() {
  for (const candidate of ['/usr/sbin/nginx', '/usr/bin/nginx', '/usr/local/sbin/nginx']) {
    if (existsSync(candidate)) return candidate;
  }
  const which = spawnSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' });
  if (which.status === 0) return which.stdout.trim();
  throw new Error('nginx is not installed: apt-get install nginx (Debian) or brew install nginx');
}

async function waitForHttp(url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.status < 500) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

function start(name, command, commandArgs, env) {
  const child = spawn(command, commandArgs, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  child.name = name;
  children.push(child);
  child.on('exit', (code, signal) => {
    if (!stopping) console.log(`${name} exited (${signal ?? code})`);
  });
  return child;
}

let stopping = false;
function stopAll() {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  setTimeout(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(workDir, { recursive: true, force: true });
    process.exit(0);
  }, 1500).unref();
}
process.on('SIGINT', stopAll);
process.on('SIGTERM', stopAll);
process.on('exit', () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

function nginxConfig(appPorts) {
  const upstreams = appPorts.map(
    (port) => `    server 127.0.0.1:${port} max_fails=1 fail_timeout=5s;`,
  );
  // Affinity keeps a user on one instance (warm caches); correctness never depends on it.
  const balance = sticky ? '    hash $cookie_sid consistent;\n' : '';
  return `worker_processes 1;
daemon off;
error_log ${workDir}/nginx-error.log warn;
pid ${workDir}/nginx.pid;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${workDir}/client_body;
  proxy_temp_path ${workDir}/proxy;
  fastcgi_temp_path ${workDir}/fastcgi;
  uwsgi_temp_path ${workDir}/uwsgi;
  scgi_temp_path ${workDir}/scgi;
  upstream sample_app {
${balance}${upstreams.join('\n')}
  }
  server {
    listen 127.0.0.1:${proxyPort};
    location / {
      proxy_pass http://sample_app;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      # An instance that went away: try the next one (a refused connection never reached it).
      proxy_next_upstream error timeout non_idempotent;
      proxy_connect_timeout 1s;
    }
  }
}
`;
}

async function main() {
  if (!existsSync('sample-app/dist/main.js')) {
    throw new Error('sample-app/dist/main.js is missing: run `npm run build` first');
  }
  let redisUrl = process.env.REDIS_URL;
  if (!redisUrl) {
    const redisPort = await freePort();
    mkdirSync(join(workDir, 'redis'));
    start('redis-server', 'redis-server', [
      '--port',
      String(redisPort),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      join(workDir, 'redis'),
    ]);
    redisUrl = `redis://127.0.0.1:${redisPort}`;
  }
  const secrets = process.env.SESSION_SECRETS ?? randomBytes(32).toString('base64url');
  const appPorts = [];
  for (let i = 0; i < INSTANCES; i++) appPorts.push(await freePort());
  appPorts.forEach((port, i) => {
    const child = start(`app-${i + 1}`, process.execPath, ['sample-app/dist/main.js'], {
      PORT: String(port),
      REDIS_URL: redisUrl,
      SESSION_SECRETS: secrets,
    });
    console.log(`instance app-${i + 1} pid=${child.pid} port=${port}`);
  });
  await Promise.all(appPorts.map((port) => waitForHttp(`http://127.0.0.1:${port}/health`, 20_000)));

  for (const dir of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) {
    mkdirSync(join(workDir, dir), { recursive: true, mode: 0o777 });
  }
  const config = join(workDir, 'nginx.conf');
  writeFileSync(config, nginxConfig(appPorts));
  start('nginx', findNginx(), ['-p', workDir, '-c', config]);
  await waitForHttp(`http://127.0.0.1:${proxyPort}/health`, 10_000);
  console.log(
    `demo ready: http://127.0.0.1:${proxyPort} (${sticky ? 'cookie-hash affinity' : 'round robin'} over ${INSTANCES} instances, Redis ${redisUrl}); Ctrl-C stops it`,
  );
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  stopAll();
  process.exitCode = 1;
});
