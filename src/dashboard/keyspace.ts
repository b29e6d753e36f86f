/**
 * Where peers and products sit in the DHT's keyspace, as fractions of the
 * ring for the dashboard's picture: kad-dht places a key at sha256 of its
 * bytes and a peer at sha256 of its id's multihash; the replicas of a
 * product are the record peers closest to it by XOR distance.
 */
import { createHash } from 'node:crypto'
import { productKey } from '../model/keys.js'
import type { ProductNode } from '../node.js'

export interface KeyspacePeer {
  peerId: string
  /** 0 ≤ position < 1: the first 48 bits of its place in the keyspace */
  position: number
  self: boolean
}

export interface KeyspaceProduct {
  id: string
  position: number
  /** the peers this node would store it on now, closest first */
  replicas: string[]
}

export interface KeyspaceAnswer {
  peers: KeyspacePeer[]
  products: KeyspaceProduct[]
}

/** The first 48 bits of sha256(bytes), as a fraction of the ring. */
export function keyspacePosition (bytes: Uint8Array): number {
  return createHash('sha256').update(bytes).digest().readUIntBE(0, 6) / 2 ** 48
}

/** This node, the peers it is connected to, and `ids` with their replica sets. */
export function keyspace (node: ProductNode, ids: string[]): KeyspaceAnswer {
  const peers = [node.peerId, ...node.libp2p.getPeers()].map((peer, index) => ({
    peerId: peer.toString(),
    position: keyspacePosition(peer.toMultihash().bytes),
    self: index === 0
  }))
  const products = ids.map(id => ({
    id,
    position: keyspacePosition(productKey(id)),
    replicas: node.replicasOf(id).map(String)
  }))
  return { peers, products }
}
