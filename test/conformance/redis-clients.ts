import type { Cluster, Redis } from 'ioredis';

/** Resolves once `client` is ready (connected and, on Cluster, its slot map loaded). */
export async function whenReady(client: Redis | Cluster): Promise<void> {
  if (client.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const onReady = (): void => {
      client.off('error', onError);
      resolve();
    };
    const onError = (error: Error): void => {
      client.off('ready', onReady);
      reject(error);
    };
    client.once('ready', onReady);
    client.once('error', onError);
  });
}

/** Closes a client the spec opened: QUIT, or a hard disconnect when QUIT fails. */
export async function closeClient(client: Redis | Cluster | undefined): Promise<void> {
  if (!client) return;
  await client.quit().catch(() => client.disconnect());
}
