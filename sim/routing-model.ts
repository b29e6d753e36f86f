/**
 * What a node knows of the record peers, modelled on how the real code
 * fills its view: every peer kad-dht connects to is identified, and every
 * identified record peer joins the view. After joining, that is the node's
 * Kademlia routing table (k peers from each bucket, chosen at random where
 * the bucket's population is larger, all of them where it is not) and the
 * peers its self-lookup met (the k closest to itself). A routing-table
 * refresh tops every bucket up to k live peers again.
 */
import type { Keyspace } from './keyspace.js'
import type { PeerTable } from './peers.js'
import type { Random } from './random.js'

/** Buckets modelled: positions are compared on their first 32 bits, plenty for 10^5 peers. */
const BUCKETS = 32

/** The record peers `node` knows once it has joined the network `keyspace` describes. */
export function joinedView (node: number, peers: PeerTable, keyspace: Keyspace, k: number, random: Random): Set<number> {
  const known = new Set<number>()
  const prefix = peers.prefixes[node]
  for (let depth = 0; depth < BUCKETS; depth++) {
    const run = keyspace.bucket(prefix, depth)
    const population = run.to - run.from
    const picks = population <= k ? Array.from({ length: population }, (_, i) => i) : random.sample(population, k)
    for (const i of picks) known.add(keyspace.order[run.from + i])
  }
  for (const peer of keyspace.closest(peers.positions[node], k + 1)) {
    if (peer !== node) known.add(peer)
  }
  return known
}

/**
 * The peers a routing-table refresh of `node` adds to what it `knows`: in
 * every bucket with fewer than k live known peers (peers left), live peers
 * of that bucket it does not know yet, up to k live ones; and its k closest.
 * Nothing is removed: the view forgets a peer only after failed requests.
 */
export function refreshAdditions (node: number, knows: (peer: number) => boolean, known: Iterable<number>, peers: PeerTable, keyspace: Keyspace, k: number, random: Random): number[] {
  const prefix = peers.prefixes[node]
  const liveKnown = new Array<number>(BUCKETS + 1).fill(0)
  for (const peer of known) {
    if (peers.isAlive(peer)) liveKnown[Math.clz32(prefix ^ peers.prefixes[peer])]++
  }
  const added: number[] = []
  for (let depth = 0; depth < BUCKETS; depth++) {
    const run = keyspace.bucket(prefix, depth)
    const population = run.to - run.from
    let wanted = Math.min(k, population) - liveKnown[depth]
    if (wanted <= 0) continue
    // random peers of the bucket, as a refresh lookup into it meets them; a few tries each
    for (const i of random.sample(population, Math.min(population, 4 * wanted))) {
      const peer = keyspace.order[run.from + i]
      if (knows(peer)) continue
      added.push(peer)
      if (--wanted === 0) break
    }
  }
  for (const peer of keyspace.closest(peers.positions[node], k + 1)) {
    if (peer !== node && !knows(peer) && !added.includes(peer)) added.push(peer)
  }
  return added
}
