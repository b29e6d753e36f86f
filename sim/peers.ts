/**
 * The simulated peers: a real libp2p peer id for each (an Ed25519 identity
 * multihash over seeded random key bytes; no key pair is generated, since
 * nothing signs as a peer), its keyspace position as src/model/keys.ts
 * computes it, and whether it is in the network now. Peers are numbered;
 * everything else in the simulator refers to them by number.
 */
import { peerIdFromMultihash } from '@libp2p/peer-id'
import * as Digest from 'multiformats/hashes/digest'
import { identity } from 'multiformats/hashes/identity'
import { peerPosition } from '../src/model/keys.js'
import type { Random } from './random.js'
import type { PeerId } from '@libp2p/interface'

/** Protobuf header of an Ed25519 public key (type 1, 32 bytes), as libp2p encodes it. */
const ED25519_KEY_HEADER = [0x08, 0x01, 0x12, 0x20]

/** The first 32 bits of a position, as an unsigned number: enough to place 10^5 peers in buckets. */
export function positionPrefix (position: Uint8Array): number {
  return ((position[0] << 24) | (position[1] << 16) | (position[2] << 8) | position[3]) >>> 0
}

export class PeerTable {
  readonly ids: PeerId[] = []
  readonly positions: Uint8Array[] = []
  /** positionPrefix of each peer */
  prefixes = new Uint32Array(1024)
  private alive = new Uint8Array(1024)
  private readonly numbers = new Map<string, number>()
  private readonly random: Random

  constructor (random: Random) {
    this.random = random
  }

  get size (): number {
    return this.ids.length
  }

  /** A new peer, alive; returns its number. */
  create (): number {
    const keyBytes = new Uint8Array(36)
    keyBytes.set(ED25519_KEY_HEADER)
    keyBytes.set(this.random.bytes(32), 4)
    const id = peerIdFromMultihash(Digest.create(identity.code, keyBytes))
    const n = this.ids.length
    if (n === this.prefixes.length) this.grow()
    const position = peerPosition(id)
    this.ids.push(id)
    this.positions.push(position)
    this.prefixes[n] = positionPrefix(position)
    this.alive[n] = 1
    this.numbers.set(id.toString(), n)
    return n
  }

  /** The number of a peer id this table made (a hint decodes a fresh PeerId object for the same peer). */
  numberOf (id: PeerId): number {
    const n = this.numbers.get(id.toString())
    if (n === undefined) throw new Error(`${id.toString()} is not a simulated peer`)
    return n
  }

  isAlive (n: number): boolean {
    return this.alive[n] === 1
  }

  leave (n: number): void {
    this.alive[n] = 0
  }

  /** Numbers of the peers in the network now. */
  living (): number[] {
    const out: number[] = []
    for (let n = 0; n < this.ids.length; n++) if (this.alive[n] === 1) out.push(n)
    return out
  }

  private grow (): void {
    const prefixes = new Uint32Array(this.prefixes.length * 2)
    prefixes.set(this.prefixes)
    this.prefixes = prefixes
    const alive = new Uint8Array(this.alive.length * 2)
    alive.set(this.alive)
    this.alive = alive
  }
}
