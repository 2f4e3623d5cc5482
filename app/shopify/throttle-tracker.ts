// Shopify's leaky bucket as the responses report it (`extensions.cost`): how long to wait
// before a request of a given cost may be sent. Plain arithmetic, no I/O.

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export interface CostExtension {
  requestedQueryCost?: number;
  actualQueryCost?: number | null;
  throttleStatus?: ThrottleStatus;
}

/** What the transport last heard of a shop's bucket; shared by the gateways of one factory. */
export class ThrottleTracker {
  private status?: ThrottleStatus;
  private at = 0;
  private readonly costs = new Map<string, number>();

  observe(status: ThrottleStatus, at: number) {
    this.status = status;
    this.at = at;
  }

  rememberCost(operation: string, requested: number) {
    this.costs.set(operation, requested);
  }

  estimate(operation: string, isMutation: boolean): number {
    return this.costs.get(operation) ?? (isMutation ? 10 : 100);
  }

  /** Milliseconds to wait before `cost` points are available (0: send now). */
  waitFor(cost: number, now: number): number {
    if (!this.status) return 0;
    const { maximumAvailable, currentlyAvailable, restoreRate } = this.status;
    const projected = Math.min(maximumAvailable, currentlyAvailable + ((now - this.at) / 1000) * restoreRate);
    const need = Math.min(cost, maximumAvailable);
    return projected >= need ? 0 : Math.ceil(((need - projected) / restoreRate) * 1000);
  }
}
