// Within a batch, only the winning inventory level per item and location matters (the
// same rule the database applies: newest updated_at, then the lower available), so
// the others need not be written at all. Everything else keeps its order.
import type { DomainEvent, InventoryLevelEvent } from "./events.ts";

export function levelWins(candidate: { updatedAt: Date; available: number }, current: { updatedAt: Date; available: number }): boolean {
  const diff = candidate.updatedAt.getTime() - current.updatedAt.getTime();
  return diff > 0 || (diff === 0 && candidate.available < current.available);
}

export function coalesceLevels<T extends { event: DomainEvent }>(items: T[]): T[] {
  const winner = new Map<string, T>();
  for (const item of items) {
    if (item.event.kind !== "inventory") continue;
    const key = `${item.event.inventoryItemId}/${item.event.locationId}`;
    const best = winner.get(key);
    if (!best || levelWins(item.event, best.event as InventoryLevelEvent)) winner.set(key, item);
  }
  return items.filter((i) => i.event.kind !== "inventory" || winner.get(`${i.event.inventoryItemId}/${i.event.locationId}`) === i);
}
