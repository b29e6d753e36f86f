/**
 * Confirming the records a node held back after it came back from an absence
 * longer than the tombstone grace period (see RecordStore).
 *
 * For each held-back key, the peers that hold it now (its r closest in the
 * view, this node left out) are asked for it with `includeHeldBack`, so that
 * nodes that were all away together (a mass restart) still see each other's
 * copies. Any record they answer shows that the network has the product: it
 * is offered to this node's own handlers, checked as any PUT, and the newest
 * version stays; the offer releases the key. When at least `quorum` of them
 * answer and none holds a record, the product was deleted while this node
 * was away and the tombstones are gone: the copy is dropped, and nothing
 * deleted comes back. Otherwise (too few answers) the key stays held back
 * for the next pass.
 */
import { Request, Response } from '../model/messages.js'
import { storeRequest } from '../protocol/requests.js'
import type { LocalReplica } from './query.js'
import type { WireRecord } from '../model/record.js'
import type { RecordStore } from '../store/record-store.js'
import type { AbortOptions, PeerId } from '@libp2p/interface'

export interface HeldBackCheckComponents {
  store: RecordStore
  local: LocalReplica
  send(peer: PeerId, request: Request, options?: AbortOptions): Promise<Response>
  /** the peers to ask about `key`: its closest record peers, this node left out */
  holdersOf(key: Uint8Array): PeerId[]
  /** runs one key's check within the maintenance rate */
  paced(check: () => Promise<void>, options?: AbortOptions): Promise<void>
  onDropped?(record: WireRecord): void
}

export interface HeldBackOutcome {
  /** keys the network confirmed (now served and offered again) */
  released: number
  /** copies dropped: no peer had the product any more */
  dropped: number
  /** keys still held back: too few peers answered */
  unresolved: number
}

/** Checks every held-back key once; `quorum` answers, all without a record, drop a copy. */
export async function confirmHeldBack (components: HeldBackCheckComponents, quorum: number, options: AbortOptions): Promise<HeldBackOutcome> {
  const outcome: HeldBackOutcome = { released: 0, dropped: 0, unresolved: 0 }
  await Promise.all(components.store.heldBackKeys().map(async key => components.paced(async () => {
    const verdict = await checkOne(components, key, quorum, options)
    outcome[verdict]++
  }, options).catch(() => {
    // stopped, or the check failed: the key stays held back for the next pass
    outcome.unresolved++
  })))
  return outcome
}

async function checkOne (components: HeldBackCheckComponents, key: Uint8Array<ArrayBuffer>, quorum: number, options: AbortOptions): Promise<keyof HeldBackOutcome> {
  const { store, local, send } = components
  const request: Request = { type: Request.Type.GET, key, wantPeers: false, ranges: [], includeHeldBack: true }
  const answers = await Promise.all(components.holdersOf(key).map(async peer => {
    try {
      return { peer, response: await send(peer, request, options) }
    } catch {
      return undefined
    }
  }))
  let answered = 0
  let found = false
  for (const answer of answers) {
    if (answer === undefined) continue
    const { peer, response } = answer
    if (response.status === Response.Status.OK && response.record != null) {
      answered++
      // checked as any PUT; whatever the verdict, an offer releases the key
      const stored = await local.handle(storeRequest(response.record), peer, options)
      found ||= stored.status !== Response.Status.INVALID
    } else if (response.status === Response.Status.NOT_FOUND) {
      answered++
    }
  }
  if (found) {
    return 'released'
  }
  if (answered >= quorum && answers.every(a => a === undefined || a.response.status !== Response.Status.OK)) {
    const dropped = await store.dropHeldBack(key, options)
    if (dropped === undefined) {
      // an offer released the key meanwhile
      return 'released'
    }
    components.onDropped?.(dropped)
    return 'dropped'
  }
  return 'unresolved'
}
