/**
 * What replica maintenance did in each report interval, summed over nodes.
 * status().maintenance counts from a node's start; the ledger keeps the last
 * figures it saw of each node and adds up the differences, so a node that
 * stopped during the interval still counts (its figures are taken once it
 * stopped) and a node restarted from its data directory (a new ProductNode,
 * counting from zero) is a node of its own.
 */
import type { MaintenanceStats, ProductNode } from '../../src/index.js'

/** The counters of MaintenanceStats (not the last pass's gauges). */
export const MAINTENANCE_COUNTERS = ['passes', 'syncs', 'failedSyncs', 'syncMessages', 'syncBytes', 'pushed', 'pulled', 'handedOff'] as const

export type MaintenanceCounters = Record<typeof MAINTENANCE_COUNTERS[number], number>

export function noMaintenance (): MaintenanceCounters {
  return { passes: 0, syncs: 0, failedSyncs: 0, syncMessages: 0, syncBytes: 0, pushed: 0, pulled: 0, handedOff: 0 }
}

export class MaintenanceLedger {
  private readonly seen = new WeakMap<ProductNode, MaintenanceStats>()
  private interval = noMaintenance()
  private total = noMaintenance()

  /** Adds what `node` did since it was last seen. */
  observe (node: ProductNode): void {
    const now = node.status().maintenance
    const before = this.seen.get(node)
    for (const field of MAINTENANCE_COUNTERS) {
      const delta = now[field] - (before?.[field] ?? 0)
      this.interval[field] += delta
      this.total[field] += delta
    }
    this.seen.set(node, now)
  }

  /** What maintenance did since the last call (observe every live node first). */
  takeInterval (): MaintenanceCounters {
    const interval = this.interval
    this.interval = noMaintenance()
    return interval
  }

  get totals (): MaintenanceCounters {
    return { ...this.total }
  }
}
