/**
 * Quorum writes: sign a record with the next version, send it to the replica
 * set, and succeed once W replicas acknowledged. A replica holding a newer
 * version makes the write retry on top of it (concurrent writers, or a
 * writer that did not know the product's version), even when W others
 * acknowledged; with an expected version the write is a compare-and-set and
 * never retries, but its winner seals what it won one version up. Every
 * other outcome is a typed error.
 */
import { peerIdFromPublicKey } from '@libp2p/peer-id'
import { CustomProgressEvent } from 'progress-events'
import { NotOwnerError, QuorumError, UnauthorizedPublisherError, VersionConflictError } from '../errors.js'
import { keyToString } from '../model/keys.js'
import { Response } from '../model/messages.js'
import { publisherOf } from '../model/publishers.js'
import { compareRecords, encodeRecord, isExpired } from '../model/record.js'
import { signRecord } from '../model/signature.js'
import { storeRequest } from '../protocol/requests.js'
import { describeResponse } from '../protocol/responses.js'
import type { KnownVersions } from './known-versions.js'
import type { ReplicaQuery } from './query.js'
import type { Reader } from './reader.js'
import type { RecordCheck } from './record-check.js'
import type { ReplicaFailure } from '../errors.js'
import type { KeyBytes } from '../model/keys.js'
import type { PublisherPolicy } from '../model/publishers.js'
import type { WireRecord } from '../model/record.js'
import type { PutProgressEvents } from '../types.js'
import type { AbortOptions, PeerId, PrivateKey } from '@libp2p/interface'
import type { ProgressOptions } from 'progress-events'

/** Attempts of a write that meets newer versions (concurrent writers). */
const WRITE_ATTEMPTS = 3

export interface WriteOptions extends AbortOptions, ProgressOptions<PutProgressEvents> {
  /** compare-and-set: write only if the current version is this one (0: absent) */
  expectedVersion?: number
  /** the key that signs the record */
  signer: PrivateKey
  /** what error messages call the record (the product's id; default its key) */
  label?: string
}

/** What a write achieved: who acknowledged, with the record that was stored. */
export interface WriteReceipt {
  record: WireRecord
  acked: PeerId[]
  failed: ReplicaFailure[]
}

/** What one round of sending a record to the replica set produced. */
interface SendOutcome {
  acked: PeerId[]
  failed: ReplicaFailure[]
  /** the newest record a replica reported instead of accepting ours */
  newer?: WireRecord
  /** a replica refused the publisher: why, and the record it holds if it said */
  forbidden?: { reason: string, held?: WireRecord }
}

export interface WriterComponents {
  query: ReplicaQuery
  reader: Reader
  check: RecordCheck
  versions: KnownVersions
  policy: PublisherPolicy
}

export class Writer {
  private readonly components: WriterComponents
  private readonly r: number
  private readonly writeQuorum: number

  constructor (components: WriterComponents, init: { replicationFactor: number, writeQuorum: number }) {
    this.components = components
    this.r = init.replicationFactor
    this.writeQuorum = init.writeQuorum
  }

  /**
   * Writes the record `make` builds for a version onto the replica set of
   * `key`, with the next version. Rejects with UnauthorizedPublisherError,
   * NotOwnerError, VersionConflictError, QuorumError or RecordTooLargeError.
   */
  async write (key: KeyBytes, make: (version: bigint) => WireRecord, operation: 'put' | 'delete', options: WriteOptions): Promise<WriteReceipt> {
    const { policy, query, versions } = this.components
    const keyText = keyToString(key)
    const named = options.label ?? keyText
    if (!policy.mayPublish(options.signer.publicKey)) {
      throw new UnauthorizedPublisherError(`${peerIdFromPublicKey(options.signer.publicKey).toString()} is not in this catalog's publishers list`)
    }
    const conditional = options.expectedVersion !== undefined
    let version = conditional
      ? await this.versionAfter(key, options.expectedVersion ?? 0, `${operation} of ${named}`, options)
      : versions.get(key) + 1n
    for (let attempt = 1; attempt <= WRITE_ATTEMPTS; attempt++) {
      const record = await signRecord(make(version), options.signer)
      encodeRecord(record) // throws RecordTooLargeError before anything is sent
      const outcome = await this.send(record, { ...options, expectedVersion: conditional ? version - 1n : undefined })
      if (outcome.forbidden !== undefined) {
        if (outcome.acked.length > 0) {
          query.log.error('%s of %s was refused by some replicas (%s) and taken by %d', operation, keyText, outcome.forbidden.reason, outcome.acked.length)
        }
        const owner = outcome.forbidden.held === undefined ? undefined : publisherOf(outcome.forbidden.held)
        throw policy.closed
          ? new UnauthorizedPublisherError(outcome.forbidden.reason)
          : new NotOwnerError(`${operation} of ${named} refused: ${outcome.forbidden.reason}`, owner)
      }
      // a replica holds this version or a newer one: a write acknowledged by W
      // others beside it would still lose to it on every read and every sync
      // (a writer that never saw the product starts from version 1), so
      // build on it and try again, however many replicas took this attempt
      if (outcome.newer !== undefined) {
        if (conditional) {
          // Two compare-and-sets of one version: each replica takes one, so
          // at most one reaches W. The winner's record still shares its
          // version with the rival's copies, which every read and every sync
          // would settle by tie-break, whatever the majority: so the winner
          // writes its product once more, one version up, over both, and
          // succeeds only when that seal goes through. (Writers whose views
          // of the replica set differ can both count W; their seals then
          // meet, and the loser of that round fails.)
          if (outcome.newer.version === version && this.countTrueReplicas(key, outcome.acked) >= this.writeQuorum) {
            query.log('%s of %s won version %d over a rival; sealing it', operation, keyText, version)
            version += 1n
            continue
          }
          throw this.lostRace(operation, named, outcome.newer)
        }
        query.log('%s of %s met version %d; retrying', operation, keyText, outcome.newer.version)
        version = outcome.newer.version + 1n
        options.onProgress?.(new CustomProgressEvent('product-dht:put:retry', { key: keyText, version: Number(version) }))
        continue
      }
      // a compare-and-set counts only acks of the key's true replica set: two
      // writers whose failovers reached different stand-ins could otherwise both win
      const counted = conditional ? this.countTrueReplicas(key, outcome.acked) : outcome.acked.length
      if (counted < this.writeQuorum) {
        throw new QuorumError(operation, this.writeQuorum, counted, outcome.failed)
      }
      versions.remember(key, version)
      return { record, acked: outcome.acked, failed: outcome.failed }
    }
    throw new VersionConflictError(`${operation} of ${named} kept meeting newer versions (concurrent writers); read and try again`, Number(version - 1n))
  }

  /**
   * The version a compare-and-set writes: one above what a quorum holds now
   * (R + W > r: it sees the last acknowledged write), if that is `expected`.
   */
  private async versionAfter (key: KeyBytes, expected: number, what: string, options: AbortOptions): Promise<bigint> {
    const held = (await this.components.reader.read(key, options)).newest
    // a deleted or expired product counts as absent: version 0
    const current = held === undefined || held.tombstone || isExpired(held) ? 0n : held.version
    if (current !== BigInt(expected)) {
      throw new VersionConflictError(`${what} expected version ${expected}; the replicas hold version ${current}`, Number(current))
    }
    return (held?.version ?? 0n) + 1n
  }

  private countTrueReplicas (key: Uint8Array, acked: PeerId[]): number {
    const replicas = new Set(this.components.query.closestReplicas(key).map(String))
    return acked.filter(peer => replicas.has(peer.toString())).length
  }

  private lostRace (operation: string, named: string, newer: WireRecord): VersionConflictError {
    return new VersionConflictError(`${operation} of ${named} lost to another writer of version ${newer.version}`, Number(newer.version))
  }

  /**
   * Sends a PUT (or DELETE, for a tombstone) of `record` to the replica set
   * and waits for every replica. With `expectedVersion`, replicas holding a
   * higher version keep theirs.
   */
  private async send (record: WireRecord, options: Omit<WriteOptions, 'expectedVersion'> & { expectedVersion?: bigint }): Promise<SendOutcome> {
    const { query, check } = this.components
    const request = storeRequest(record, options.expectedVersion)
    const round = await query.ask(request, this.r, options).done
    const acked: PeerId[] = []
    const failed = [...round.failed]
    let newer: WireRecord | undefined
    let forbidden: SendOutcome['forbidden']
    for (const { peer, response } of round.answers) {
      if (response.status === Response.Status.OK) {
        acked.push(peer)
        continue
      }
      const held = response.record != null && check.isValid(response.record, record.key, peer) ? response.record : undefined
      if (response.status === Response.Status.FORBIDDEN) {
        forbidden ??= { reason: response.message, held }
      }
      if (response.status === Response.Status.STALE && held !== undefined && (newer === undefined || compareRecords(held, newer) > 0)) {
        newer = held
      }
      failed.push({ peer, reason: describeResponse(response), status: response.status })
    }
    return { acked, failed, newer, forbidden }
  }
}
