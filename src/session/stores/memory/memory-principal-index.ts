import { publicIdOf, keyOfPublicId } from '../../../security/session-token.js';
import type { IndexChange, IndexedSession, IndexResult } from '../session-store.js';

/**
 * The per-principal session index of the memory store: handle → deadline, per principal. Same
 * semantics as principal-index.lua, cap decision included.
 */
export class MemoryPrincipalIndex {
  private readonly byPrincipal = new Map<string, Map<string, number>>();

  update(principalId: string, change: IndexChange): IndexResult {
    const members = this.byPrincipal.get(principalId) ?? new Map<string, number>();
    for (const [handle, deadline] of members) if (deadline <= change.now) members.delete(handle);
    let removed = 0;
    for (const key of change.remove ?? []) if (members.delete(publicIdOf(key))) removed += 1;
    let refused = false;
    let evicted: IndexedSession[] = [];
    if (change.add) {
      const { add, cap } = change;
      // Earlier keys of the same session (same tag) are that session: never counted or evicted.
      const others = () => sorted(members).filter(({ key }) => key.tag !== add.key.tag);
      if (cap?.onLimit === 'refuse' && others().length >= cap.limit) refused = true;
      else {
        members.set(publicIdOf(add.key), add.deadline);
        const rest = others();
        if (cap && rest.length + 1 > cap.limit)
          evicted = rest.slice(0, rest.length + 1 - cap.limit);
      }
    }
    if (members.size === 0) this.byPrincipal.delete(principalId);
    else this.byPrincipal.set(principalId, members);
    const listed = change.list !== false;
    const detailed = change.cap !== undefined || !listed;
    return {
      removed,
      sessions: listed ? sorted(members) : [],
      ...(detailed && { count: members.size, refused, evicted }),
    };
  }

  clear(): void {
    this.byPrincipal.clear();
  }
}

/** The members, earliest deadline first (as ZRANGE gives them). */
function sorted(members: ReadonlyMap<string, number>): IndexedSession[] {
  const sessions: IndexedSession[] = [];
  for (const [handle, deadline] of members)
    sessions.push({ key: keyOfPublicId(handle)!, deadline });
  return sessions.sort((a, b) => a.deadline - b.deadline);
}
