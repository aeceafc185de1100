import { createHash } from 'node:crypto';

/**
 * Picks a server per session by rendezvous (highest random weight) hashing of the session's
 * tag: every key of a session (data, lock, the key it moves to on regeneration) lands on the
 * same server, and adding or removing a server moves only the sessions that hash to it.
 */
export class RendezvousRing<T extends { readonly address: string }> {
  constructor(private readonly nodes: readonly T[]) {
    if (nodes.length === 0) throw new Error('at least one Memcached server is needed');
  }

  nodeFor(tag: string): T {
    let best = this.nodes[0]!;
    let bestWeight = -1n;
    for (const node of this.nodes) {
      const weight = createHash('sha256').update(node.address).update('\0').update(tag).digest();
      const value = weight.readBigUInt64BE(0);
      if (value > bestWeight) {
        best = node;
        bestWeight = value;
      }
    }
    return best;
  }

  all(): readonly T[] {
    return this.nodes;
  }
}

/** `host:port` entries of `'a:11211,b:11211'` or a list. */
export function parseServers(servers: string | readonly string[]): string[] {
  const list = typeof servers === 'string' ? servers.split(',') : [...servers];
  return list.map((server) => server.trim()).filter(Boolean);
}
