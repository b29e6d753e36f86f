/**
 * One anti-entropy session with one neighbour, started by this node.
 *
 * Both sides narrow their records to the ones the other should hold (each by
 * its own view) and compare summaries of key ranges, splitting where they
 * differ (ranges.ts). Then only the records that differ move, both ways:
 * this node pushes what the neighbour lacks or holds older (a PUT or DELETE,
 * checked there like any other) and pulls what it lacks or holds older (a
 * GET, checked here by this node's own handlers). Whatever the neighbour was
 * seen to hold at this node's version or newer is confirmed: maintenance
 * drops a copy it no longer needs only once every new holder confirmed it.
 */
import { toString as uint8ArrayToString } from 'uint8arrays/to-string'
import { equals as uint8ArrayEquals } from 'uint8arrays/equals'
import { Request, Response, SyncAnswer } from '../../model/messages.js'
import { storeRequest } from '../../protocol/requests.js'
import { describeResponse } from '../../protocol/responses.js'
import { childrenOf, entriesIn, MAX_SYNC_RANGES, POSITION_BITS, sameSummary, SPLIT_BITS, summarize, WHOLE_KEYSPACE } from './ranges.js'
import type { RangeRef } from './ranges.js'
import type { SyncItem } from '../../model/messages.js'
import type { WireRecord } from '../../model/record.js'
import type { IndexEntry } from '../../store/record-index.js'
import type { AbortOptions, PeerId } from '@libp2p/interface'

/** SYNC requests one session may send: enough to split down to single keys several times over. */
const MAX_SYNC_REQUESTS = 4 * POSITION_BITS / SPLIT_BITS

const NO_KEY = new Uint8Array(0)

export interface SyncSessionComponents {
  /** this node's records, sorted by position (a snapshot) */
  entries: readonly IndexEntry[]
  /** sends a request to the neighbour (the record client) */
  send(peer: PeerId, request: Request, options?: AbortOptions): Promise<Response>
  /** the record this node holds for `key` now */
  read(key: Uint8Array, options?: AbortOptions): Promise<WireRecord | undefined>
  /** offers `record`, received from `from`, to this node's own handlers (checked like any PUT); resolves to whether it is now held */
  offer(record: WireRecord, from: PeerId, options?: AbortOptions): Promise<boolean>
  /** whether this node should hold `key` (it ranks itself among its replicas) */
  shouldHold(key: Uint8Array): boolean
  /** runs one record transfer when the maintenance rate allows */
  paced<T>(transfer: () => Promise<T>, options?: AbortOptions): Promise<T>
}

export interface SyncOutcome {
  /** SYNC requests sent (each had one response) */
  syncMessages: number
  /** bytes of those requests and responses */
  syncBytes: number
  pushed: number
  pulled: number
  /** transfers that failed (the next session tries again) */
  failed: number
  /** keys (base64) the neighbour holds at this node's version or newer */
  confirmed: Set<string>
}

export function keyId (key: Uint8Array): string {
  return uint8ArrayToString(key, 'base64')
}

/** Runs one session with `peer` over the records `shared` selects; rejects when the neighbour does not take part. */
export async function syncWith (components: SyncSessionComponents, peer: PeerId, shared: (key: Uint8Array) => boolean, options: AbortOptions = {}): Promise<SyncOutcome> {
  const mine = components.entries.filter(entry => shared(entry.key))
  const outcome: SyncOutcome = { syncMessages: 0, syncBytes: 0, pushed: 0, pulled: 0, failed: 0, confirmed: new Set() }
  const confirm = (entries: readonly IndexEntry[]): void => { for (const entry of entries) outcome.confirmed.add(keyId(entry.key)) }
  const toPush: IndexEntry[] = []
  const toPull: SyncItem[] = []
  const queue: RangeRef[] = [WHOLE_KEYSPACE]

  while (queue.length > 0) {
    if (outcome.syncMessages >= MAX_SYNC_REQUESTS) {
      throw new Error(`sync with ${peer.toString()} took more than ${MAX_SYNC_REQUESTS} requests`)
    }
    const batch = queue.splice(0, MAX_SYNC_RANGES)
    const request: Request = {
      type: Request.Type.SYNC,
      key: NO_KEY,
      wantPeers: false,
      ranges: batch.map(range => ({ ...range, ...summarize(entriesIn(mine, range)) }))
    }
    const response = await components.send(peer, request, options)
    outcome.syncMessages++
    outcome.syncBytes += Request.encode(request).byteLength + Response.encode(response).byteLength
    if (response.status !== Response.Status.OK || response.ranges.length !== batch.length) {
      throw new Error(`sync with ${peer.toString()} refused: ${describeResponse(response)}`)
    }
    batch.forEach((range, i) => {
      const answer = response.ranges[i]
      const held = entriesIn(mine, range)
      if (answer.bits !== range.bits || !uint8ArrayEquals(answer.prefix, range.prefix)) {
        throw new Error(`sync with ${peer.toString()}: answers out of order`)
      }
      if (answer.kind === SyncAnswer.Kind.MATCH) {
        confirm(held)
      } else if (answer.kind === SyncAnswer.Kind.ITEMS) {
        compareItems(held, answer.items, { confirm, toPush, toPull, shouldHold: components.shouldHold })
      } else {
        const children = childrenOf(range)
        if (answer.children.length !== children.length) {
          throw new Error(`sync with ${peer.toString()}: a split of ${answer.children.length} ranges`)
        }
        children.forEach((child, j) => {
          const ours = entriesIn(held, child)
          const theirs = answer.children[j]
          if (sameSummary(summarize(ours), theirs)) {
            confirm(ours)
          } else if (theirs.count === 0) {
            toPush.push(...ours)
          } else {
            queue.push(child)
          }
        })
      }
    })
  }

  await Promise.all([
    ...toPush.map(async entry => components.paced(async () => { await push(components, peer, entry, outcome, options) }, options)),
    ...toPull.map(async item => components.paced(async () => { await pull(components, peer, item, outcome, options) }, options))
  ])
  return outcome
}

interface Comparison {
  confirm(entries: readonly IndexEntry[]): void
  toPush: IndexEntry[]
  toPull: SyncItem[]
  shouldHold(key: Uint8Array): boolean
}

/** Sorts a listed range into what to push, what to pull and what the neighbour already holds. */
function compareItems (held: readonly IndexEntry[], items: SyncItem[], comparison: Comparison): void {
  const theirs = new Map(items.map(item => [keyId(item.key), item]))
  for (const entry of held) {
    const item = theirs.get(keyId(entry.key))
    theirs.delete(keyId(entry.key))
    if (item === undefined || item.version < entry.version) {
      comparison.toPush.push(entry)
    } else if (item.version > entry.version) {
      // the neighbour holds a newer version: it holds what it should, and this node takes it
      comparison.confirm([entry])
      comparison.toPull.push(item)
    } else if (uint8ArrayEquals(item.digest, entry.digest)) {
      comparison.confirm([entry])
    } else {
      // two records of one version: offering ours lets the neighbour keep the winner and name it
      comparison.toPush.push(entry)
    }
  }
  for (const item of theirs.values()) {
    if (comparison.shouldHold(item.key)) comparison.toPull.push(item)
  }
}

async function push (components: SyncSessionComponents, peer: PeerId, entry: IndexEntry, outcome: SyncOutcome, options: AbortOptions): Promise<void> {
  const record = await components.read(entry.key, options)
  if (record === undefined) {
    return
  }
  try {
    const response = await components.send(peer, storeRequest(record), options)
    if (response.status === Response.Status.OK) {
      outcome.pushed++
      outcome.confirmed.add(keyId(entry.key))
    } else if (response.status === Response.Status.STALE && response.record != null) {
      // the neighbour holds a newer record (or the winner of a tie): it keeps it, and so will this node
      outcome.confirmed.add(keyId(entry.key))
      if (await components.offer(response.record, peer, options)) outcome.pulled++
    } else {
      outcome.failed++
    }
  } catch (err) {
    options.signal?.throwIfAborted()
    outcome.failed++
  }
}

async function pull (components: SyncSessionComponents, peer: PeerId, item: SyncItem, outcome: SyncOutcome, options: AbortOptions): Promise<void> {
  try {
    const response = await components.send(peer, { type: Request.Type.GET, key: item.key as Request['key'], wantPeers: false, ranges: [] }, options)
    if (response.status === Response.Status.OK && response.record != null && await components.offer(response.record, peer, options)) {
      outcome.pulled++
    }
  } catch (err) {
    options.signal?.throwIfAborted()
    outcome.failed++
  }
}
