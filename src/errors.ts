/**
 * Typed errors. Each has a stable `name` a caller can switch on; none of them
 * imports anything of ours, so every layer may throw them. Errors libp2p
 * already defines are re-exported, not redefined: `InvalidParametersError`
 * (a bad option or argument), `NotStartedError` (a call on a stopped node)
 * and `ProtocolError` (a peer answered with a malformed message).
 */
import type { PeerId } from '@libp2p/interface'

export { InvalidParametersError, NotStartedError, ProtocolError } from '@libp2p/interface'

/** One failing field of a product, with a path such as `price` or `tags.3`. */
export interface FieldIssue {
  field: string
  message: string
}

/** The product does not satisfy the schema; nothing was sent or stored. */
export class InvalidProductError extends Error {
  static readonly NAME = 'InvalidProductError'
  override readonly name = InvalidProductError.NAME
  readonly issues: FieldIssue[]

  constructor (issues: FieldIssue[]) {
    super(`Invalid product: ${issues.map(i => `${i.field === '' ? '(product)' : i.field}: ${i.message}`).join('; ')}`)
    this.issues = issues
  }
}

/** The encoded record is larger than the protocol allows. */
export class RecordTooLargeError extends Error {
  static readonly NAME = 'RecordTooLargeError'
  override readonly name = RecordTooLargeError.NAME
  readonly size: number
  readonly limit: number

  constructor (size: number, limit: number) {
    super(`Encoded record is ${size} bytes; the limit is ${limit}`)
    this.size = size
    this.limit = limit
  }
}

/** Why one replica did not acknowledge or answer. */
export interface ReplicaFailure {
  /** the replica */
  peer: PeerId
  reason: string
  /** the record-protocol status the replica answered with, when it answered */
  status?: string
}

/**
 * Fewer replicas than the quorum acknowledged a put or answered a get. This is
 * never "not found": it means the network could not be asked.
 */
export class QuorumError extends Error {
  static readonly NAME = 'QuorumError'
  override readonly name = QuorumError.NAME
  readonly operation: 'put' | 'get' | 'delete'
  readonly needed: number
  readonly succeeded: number
  readonly failed: ReplicaFailure[]

  constructor (operation: 'put' | 'get' | 'delete', needed: number, succeeded: number, failed: ReplicaFailure[]) {
    const reasons = failed.length > 0 ? ` (${failed.map(f => `${f.peer}: ${f.reason}`).join('; ')})` : ''
    const advice = failed.some(f => f.status === 'BUSY')
      ? 'Replicas answered BUSY: this node sent them more requests than they admit (maxRequestsPerPeerPerSecond, maxInboundStreamsPerPeer); send fewer at once.'
      : 'Join more peers that speak the record protocol, or lower the quorum (writeQuorum / readQuorum).'
    super(`${operation} reached ${succeeded} of the ${needed} replicas its quorum needs${reasons}. ${advice}`)
    this.operation = operation
    this.needed = needed
    this.succeeded = succeeded
    this.failed = failed
  }
}

/**
 * A put kept meeting newer versions on the replicas (concurrent writers) and
 * gave up after its retries, or a put with `expectedVersion` found another
 * version (compare-and-set failed).
 */
export class VersionConflictError extends Error {
  static readonly NAME = 'VersionConflictError'
  override readonly name = VersionConflictError.NAME
  /** the newest version seen on the replicas */
  readonly currentVersion: number

  constructor (message: string, currentVersion: number) {
    super(message)
    this.currentVersion = currentVersion
  }
}

/** A record failed validation: wrong key, malformed or non-canonical product. */
export class InvalidRecordError extends Error {
  static readonly NAME = 'InvalidRecordError'
  override readonly name = InvalidRecordError.NAME
}

/**
 * The product belongs to another publisher: in an open catalog, the key that
 * first published it on the replicas. Nothing was changed.
 */
export class NotOwnerError extends Error {
  static readonly NAME = 'NotOwnerError'
  override readonly name = NotOwnerError.NAME
  /** peer id form of the owner's public key, when a replica reported it */
  readonly owner?: PeerId

  constructor (message: string, owner?: PeerId) {
    super(message)
    this.owner = owner
  }
}

/** A closed catalog's node was asked to publish with a key its `publishers` list does not hold. */
export class UnauthorizedPublisherError extends Error {
  static readonly NAME = 'UnauthorizedPublisherError'
  override readonly name = UnauthorizedPublisherError.NAME
}

/** Why one bootstrap address could not be joined. */
export interface BootstrapFailure {
  address: string
  reason: string
}

/**
 * None of the bootstrap peers could be reached, so the node has not joined
 * any network. `failures` names each address and why it failed. Start with
 * `startAlone: true` to run alone instead and keep trying them in the background.
 */
export class BootstrapError extends Error {
  static readonly NAME = 'BootstrapError'
  override readonly name = BootstrapError.NAME
  readonly failures: BootstrapFailure[]

  constructor (failures: BootstrapFailure[]) {
    super(`Could not reach any bootstrap peer: ${failures.map(f => `${f.address} (${f.reason})`).join('; ')}. ` +
      'Check the addresses and that those peers run, or pass startAlone: true to start without them and keep trying.')
    this.failures = failures
  }
}
