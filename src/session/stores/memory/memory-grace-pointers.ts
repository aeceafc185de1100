import type { SessionKey } from '../../../security/session-token.js';

/** A rotation's grace pointer: the replaced key leads to the session's new one for a while. */
interface MemoryAlias {
  target: string;
  targetKey: SessionKey;
  expiresAt: number;
}

/** Most pointers followed from a replaced token (rotations closer together than the grace). */
const MAX_POINTER_HOPS = 8;

/** Where the memory store's sessions were: the grace pointers rotations leave behind. */
export class MemoryGracePointers {
  private readonly aliases = new Map<string, MemoryAlias>();

  /** Where `id` leads: through live grace pointers (a bounded chain of them), or to itself. */
  resolve(
    id: string,
    now: number,
    key: SessionKey,
  ): { id: string; aliased: boolean; via: string[]; targetKey: SessionKey } {
    const via: string[] = [];
    let current = id;
    let targetKey = key;
    for (let hop = 0; hop < MAX_POINTER_HOPS; hop++) {
      const alias = this.aliases.get(current);
      if (!alias) break;
      if (alias.expiresAt <= now) {
        this.aliases.delete(current);
        break;
      }
      via.push(current);
      current = alias.target;
      targetKey = alias.targetKey;
    }
    return { id: current, aliased: via.length > 0, via, targetKey };
  }

  /** `from` leads to `target` (the id of `targetKey`) until `expiresAt`. */
  set(from: string, target: string, targetKey: SessionKey, expiresAt: number): void {
    this.aliases.set(from, { target, targetKey, expiresAt });
  }

  delete(id: string): void {
    this.aliases.delete(id);
  }

  sweep(now: number): void {
    for (const [id, alias] of this.aliases) if (alias.expiresAt <= now) this.aliases.delete(id);
  }

  clear(): void {
    this.aliases.clear();
  }
}
