/**
 * product-dht's metrics beyond the two counter groups the service registers
 * itself (`product_dht_operations_total`, `product_dht_operation_errors_total`),
 * built from what the node already reports: its events and the progress
 * events of the operations the daemon runs. They go into libp2p's `metrics`,
 * next to libp2p's own.
 *
 * - `product_dht_operation_duration_seconds{operation}`: a histogram of puts, deletes and gets
 * - `product_dht_operation_outcomes_total{outcome}`: `put:ok`, `get:found`, `get:not_found`, `put:QuorumError`, …
 * - `product_dht_replica_answers_total{status}`: answers from replicas to this daemon's operations, BUSY among them
 * - `product_dht_replica_failures_total`: replicas that could not be reached or timed out
 * - `product_dht_lookups_total`: operations that had to ask the DHT for record peers
 * - `product_dht_put_retries_total`: puts that met a newer version and built on it
 * - `product_dht_replica_events_total{event}`: records this node stored as a replica
 *   (`stored`, read repairs from other nodes included), `deleted` (tombstones in) and `purged`
 */
import type { ProductNode } from '../node.js'
import type { GetProgressEvents, OperationFinishedEvent, PutProgressEvents, ReplicaRemovedEvent, ReplicaStoredEvent } from '../types.js'
import type { CounterGroup, Counter, HistogramGroup, Metrics } from '@libp2p/interface'

/** Seconds: from a loopback round trip to a put that waits out BUSY answers. */
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

export class ProductMetrics {
  private readonly node: ProductNode
  private readonly durations: HistogramGroup
  private readonly outcomes: CounterGroup
  private readonly answers: CounterGroup
  private readonly failures: Counter
  private readonly lookups: Counter
  private readonly retries: Counter
  private readonly replicaEvents: CounterGroup
  private readonly onFinished = (event: CustomEvent<OperationFinishedEvent>): void => { this.finished(event.detail) }
  private readonly onStored = (_event: CustomEvent<ReplicaStoredEvent>): void => { this.replicaEvents.increment({ stored: true }) }
  private readonly onRemoved = (event: CustomEvent<ReplicaRemovedEvent>): void => { this.replicaEvents.increment({ [event.detail.reason]: true }) }

  /** Registers the metrics with `metrics` and starts listening to `node`'s events; `stop()` stops listening. */
  constructor (node: ProductNode, metrics: Metrics) {
    this.node = node
    this.durations = metrics.registerHistogramGroup('product_dht_operation_duration_seconds', {
      label: 'operation',
      help: 'How long puts, deletes and gets of this node took, in seconds',
      buckets: DURATION_BUCKETS
    })
    this.outcomes = metrics.registerCounterGroup('product_dht_operation_outcomes_total', { label: 'outcome', help: 'Puts, deletes and gets by outcome: ok, found, not_found or the error name' })
    this.answers = metrics.registerCounterGroup('product_dht_replica_answers_total', { label: 'status', help: "Replicas' answers to this daemon's operations, by status (BUSY: the replica asked it to slow down)" })
    this.failures = metrics.registerCounter('product_dht_replica_failures_total', { help: 'Replicas that could not be reached or timed out during this daemon\'s operations' })
    this.lookups = metrics.registerCounter('product_dht_lookups_total', { help: 'Operations that asked the DHT for record peers' })
    this.retries = metrics.registerCounter('product_dht_put_retries_total', { help: 'Puts that met a newer version on a replica and built on it' })
    this.replicaEvents = metrics.registerCounterGroup('product_dht_replica_events_total', { label: 'event', help: 'Records this node stored (read repairs included), deleted or purged as a replica' })
    node.addEventListener('operation:finished', this.onFinished)
    node.addEventListener('replica:stored', this.onStored)
    node.addEventListener('replica:removed', this.onRemoved)
  }

  /** Counts one progress event of an operation; pass as `onProgress`. */
  readonly onProgress = (event: PutProgressEvents | GetProgressEvents): void => {
    switch (event.type) {
      case 'product-dht:replica:answer':
        this.answers.increment({ [event.detail.status]: true })
        break
      case 'product-dht:replica:failed':
        this.failures.increment()
        break
      case 'product-dht:lookup':
        this.lookups.increment()
        break
      case 'product-dht:put:retry':
        this.retries.increment()
        break
      default:
        break
    }
  }

  stop (): void {
    this.node.removeEventListener('operation:finished', this.onFinished)
    this.node.removeEventListener('replica:stored', this.onStored)
    this.node.removeEventListener('replica:removed', this.onRemoved)
  }

  private finished (detail: OperationFinishedEvent): void {
    this.durations.observe({ [detail.operation]: detail.duration / 1000 })
    const outcome = detail.error ?? (detail.operation === 'get' ? (detail.found === true ? 'found' : 'not_found') : 'ok')
    this.outcomes.increment({ [`${detail.operation}:${outcome}`]: true })
  }
}
