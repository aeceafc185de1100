import { handleOf, keyOfHandle } from './session-handle.js';
import type { IndexChange, IndexedSession, IndexResult } from './session-store.js';

/** The per-principal session index of the memory store: handle → deadline, per principal. */
export class MemoryPrincipalIndex {
  private readonly byPrincipal = new Map<string, Map<string, number>>();

  update(principalId: string, change: IndexChange): IndexResult {
    const members = this.byPrincipal.get(principalId) ?? new Map<string, number>();
    for (const [handle, deadline] of members) if (deadline <= change.now) members.delete(handle);
    let removed = 0;
    for (const key of change.remove ?? []) if (members.delete(handleOf(key))) removed += 1;
    if (change.add) members.set(handleOf(change.add.key), change.add.deadline);
    if (members.size === 0) this.byPrincipal.delete(principalId);
    else this.byPrincipal.set(principalId, members);
    const sessions: IndexedSession[] = [];
    for (const [handle, deadline] of members)
      sessions.push({ key: keyOfHandle(handle)!, deadline });
    sessions.sort((a, b) => a.deadline - b.deadline);
    return { removed, sessions };
  }

  clear(): void {
    this.byPrincipal.clear();
  }
}
