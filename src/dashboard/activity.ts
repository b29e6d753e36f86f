/**
 * What the node did lately, for the dashboard: operations counted by kind
 * (the page turns the counts into rates) and the products it touched last.
 */
import type { ProductNode } from '../node.js'
import type { OperationFinishedEvent, ReplicaStoredEvent } from '../types.js'

export interface ActivitySnapshot {
  /** operations since the daemon started, by kind, and how many of them failed */
  operations: { put: number, get: number, delete: number, failed: number }
  /** the products this node put, got, deleted or stored as a replica last, newest first */
  recent: Array<{ id: string, what: 'put' | 'get' | 'delete' | 'stored', at: number }>
}

export class Activity {
  private readonly node: ProductNode
  private readonly keep: number
  private readonly operations = { put: 0, get: 0, delete: 0, failed: 0 }
  private readonly recent = new Map<string, { id: string, what: 'put' | 'get' | 'delete' | 'stored', at: number }>()
  private readonly onFinished = (event: CustomEvent<OperationFinishedEvent>): void => {
    const { operation, id, error } = event.detail
    this.operations[operation]++
    if (error !== undefined) this.operations.failed++
    else this.touch(id, operation)
  }

  private readonly onStored = (event: CustomEvent<ReplicaStoredEvent>): void => { this.touch(event.detail.id, 'stored') }

  /** Listens to `node` until stop(); keeps the last `keep` products (default 24). */
  constructor (node: ProductNode, keep = 24) {
    this.node = node
    this.keep = keep
    node.addEventListener('operation:finished', this.onFinished)
    node.addEventListener('replica:stored', this.onStored)
  }

  snapshot (): ActivitySnapshot {
    return { operations: { ...this.operations }, recent: [...this.recent.values()].reverse() }
  }

  stop (): void {
    this.node.removeEventListener('operation:finished', this.onFinished)
    this.node.removeEventListener('replica:stored', this.onStored)
  }

  private touch (id: string, what: 'put' | 'get' | 'delete' | 'stored'): void {
    // newest last in the map's order
    this.recent.delete(id)
    this.recent.set(id, { id, what, at: Date.now() })
    if (this.recent.size > this.keep) {
      this.recent.delete(this.recent.keys().next().value!)
    }
  }
}
