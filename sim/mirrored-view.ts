/**
 * The real RecordPeerView, loaded from a node's known peers and writing
 * every change it makes back to them (peers added from identify or hints,
 * removed after failures, failures counted). The simulator keeps a few
 * thousand views alive at once and loads the others when a node acts;
 * nothing the view learned is lost when it is dropped.
 */
import { RecordPeerView } from '../src/replication/peer-view.js'
import type { PeerViewComponents, PeerViewInit } from '../src/replication/peer-view.js'
import type { PeerId } from '@libp2p/interface'

/** Where a view writes its changes. */
export interface ViewChanges {
  added(peer: PeerId): void
  removed(peer: PeerId): void
  /** failures in a row counted against `peer` now (0 after a success) */
  failures(peer: PeerId, count: number): void
}

export class MirroredPeerView extends RecordPeerView {
  private readonly mirror: ViewChanges
  private readonly failureCounts = new Map<string, number>()
  /** true while start() loads the peers the node already knows: nothing new to write back */
  private loading = false

  constructor (components: PeerViewComponents, init: PeerViewInit, changes: ViewChanges) {
    super(components, init)
    this.mirror = changes
  }

  override async start (): Promise<void> {
    this.loading = true
    try {
      await super.start()
    } finally {
      this.loading = false
    }
  }

  /** Loads what the node knew when its view was last dropped: failures counted against peers. */
  restoreFailures (peer: PeerId, count: number): void {
    for (let i = 0; i < count; i++) super.markDown(peer)
    this.failureCounts.set(peer.toString(), count)
  }

  override add (peer: PeerId): void {
    const known = this.loading || this.has(peer)
    super.add(peer)
    if (!known && this.has(peer)) this.mirror.added(peer)
  }

  override remove (peer: PeerId): void {
    super.remove(peer)
    this.failureCounts.delete(peer.toString())
    this.mirror.removed(peer)
  }

  override markDown (peer: PeerId): void {
    if (!this.has(peer)) return
    const count = (this.failureCounts.get(peer.toString()) ?? 0) + 1
    this.failureCounts.set(peer.toString(), count)
    this.mirror.failures(peer, count)
    // the view removes the peer itself after enough failures (remove() above writes that back)
    super.markDown(peer)
  }

  override markUp (peer: PeerId): void {
    super.markUp(peer)
    if (this.failureCounts.delete(peer.toString())) this.mirror.failures(peer, 0)
  }
}
