/**
 * The soak's network: NODES product nodes on 127.0.0.1 in this process, and
 * the churn that replaces some of them every round. Half the nodes keep
 * their records in a data directory (LevelDB) and come back with it a while
 * after they stop, as a restarted process would; the others keep them in
 * memory and are gone for good when they stop. Fresh nodes join to keep
 * about NODES live.
 *
 * Operations get a node through acquire()/release(): a node chosen to stop
 * first leaves the live set, then waits for the operations it runs to
 * finish, so that churn shows up as departures, not as operations cut off
 * halfway by the soak itself.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BootstrapError, createProductNode } from '../../src/index.js'
import { REPLICATION } from './settings.js'
import type { MaintenanceLedger } from './maintenance-ledger.js'
import type { ProductNode, ProductNodeOptions } from '../../src/index.js'

export interface SoakNode {
  /** n0, n1, …: the same name across restarts */
  name: string
  node: ProductNode
  dataDir?: string
  /** operations running on it */
  inFlight: number
  /** called when inFlight drops to 0 while the node is draining */
  drained?: () => void
}

/** What churn did, since the last call of takeInterval(). */
export interface ChurnCounts {
  /** fresh nodes that joined */
  joined: number
  /** nodes that came back with their data directory */
  restarted: number
  /** nodes churn stopped (for good or to restart later) */
  departed: number
  /** joins or restarts that failed after every attempt */
  failedJoins: number
}

const noChurn = (): ChurnCounts => ({ joined: 0, restarted: 0, departed: 0, failedJoins: 0 })

/** Joins tried per node: in a crowded process a bootstrap dial can time out. */
const JOIN_ATTEMPTS = 3
/** ms a join may take: many hosts share one event loop. */
const JOIN_TIMEOUT = 120_000

export interface SoakNetworkInit {
  nodes: number
  maintenanceInterval: number
  restartAfter: number
  /** ms to wait for a stopping node's operations (they time out by then) */
  drainTimeout: number
  ledger: MaintenanceLedger
  log: (message: string) => void
}

export class SoakNetwork {
  readonly live: SoakNode[] = []
  private readonly init: SoakNetworkInit
  private root = ''
  private created = 0
  private interval = noChurn()
  readonly totals = noChurn()
  /** nodes down for now, to come back with their data directory */
  private readonly pendingRestarts = new Map<string, { timer: ReturnType<typeof setTimeout>, node: SoakNode }>()
  /** restarts and joins under way, awaited when the soak ends */
  private readonly underWay = new Set<Promise<void>>()
  private closed = false

  constructor (init: SoakNetworkInit) {
    this.init = init
  }

  private get options (): ProductNodeOptions {
    return {
      replicationFactor: REPLICATION.r,
      writeQuorum: REPLICATION.W,
      readQuorum: REPLICATION.R,
      maintenanceInterval: this.init.maintenanceInterval,
      joinTimeout: JOIN_TIMEOUT
    }
  }

  /** Starts NODES nodes: the first alone, the others through it, four at a time. */
  async start (): Promise<void> {
    this.root = await mkdtemp(join(tmpdir(), 'product-dht-soak-'))
    this.live.push(await this.createNode(this.freshName(), false))
    while (this.live.length < this.init.nodes) {
      const batch = Math.min(4, this.init.nodes - this.live.length)
      const joins = await Promise.allSettled(Array.from({ length: batch }, async () => this.join()))
      // the nodes that did start are live, so that stopAll() stops them too
      for (const outcome of joins) if (outcome.status === 'fulfilled') this.live.push(outcome.value)
      const failed = joins.find(outcome => outcome.status === 'rejected')
      if (failed !== undefined) throw failed.reason
      this.init.log(`${this.live.length} of ${this.init.nodes} nodes ready`)
    }
    this.interval = noChurn()
  }

  /** A live node for one operation; release() it when the operation ends. */
  acquire (): SoakNode {
    const chosen = this.live[Math.floor(Math.random() * this.live.length)]
    chosen.inFlight++
    return chosen
  }

  release (node: SoakNode): void {
    node.inFlight--
    if (node.inFlight === 0) node.drained?.()
  }

  /** Distinct random live nodes, at most `count`. */
  sample (count: number): SoakNode[] {
    const pool = [...this.live]
    const chosen: SoakNode[] = []
    while (chosen.length < count && pool.length > 0) {
      chosen.push(...pool.splice(Math.floor(Math.random() * pool.length), 1))
    }
    return chosen
  }

  /**
   * One round of churn: r − 1 random live nodes stop at once (those with a
   * data directory come back after RESTART_AFTER seconds), and fresh nodes
   * join to bring the live and returning nodes back to NODES.
   */
  async churn (): Promise<void> {
    const leaving = this.sample(REPLICATION.r - 1)
    for (const node of leaving) this.live.splice(this.live.indexOf(node), 1)
    await Promise.all(leaving.map(async node => this.stopNode(node)))
    this.count('departed', leaving.length)
    for (const node of leaving) {
      if (node.dataDir !== undefined) this.scheduleRestart(node)
    }
    this.init.log(`churn: stopped ${leaving.map(n => `${n.name}${n.dataDir === undefined ? '' : ' (back later)'}`).join(', ')}`)
    const missing = this.init.nodes - this.live.length - this.pendingRestarts.size
    const joins = await Promise.allSettled(Array.from({ length: missing }, async () => this.join()))
    for (const outcome of joins) {
      if (outcome.status === 'fulfilled') {
        this.addLive(outcome.value)
        this.count('joined')
      } else {
        this.count('failedJoins')
        this.init.log(`churn: a fresh node failed to join - ${describe(outcome.reason)}`)
      }
    }
  }

  /** Churn since the last call. */
  takeInterval (): ChurnCounts {
    const interval = this.interval
    this.interval = noChurn()
    return interval
  }

  /** Nodes down for now that will come back. */
  get returning (): number {
    return this.pendingRestarts.size
  }

  /**
   * No more churn: cancels the restarts still to come (those nodes stay
   * down) and waits for joins and restarts under way.
   */
  async quiesce (): Promise<void> {
    this.closed = true
    for (const { timer } of this.pendingRestarts.values()) clearTimeout(timer)
    this.pendingRestarts.clear()
    await Promise.allSettled([...this.underWay])
  }

  /** Stops every live node (each observed by the ledger) and removes the data directories. */
  async stopAll (): Promise<void> {
    await this.quiesce()
    const nodes = this.live.splice(0)
    await Promise.all(nodes.map(async node => this.stopNode(node)))
    if (this.root !== '') await rm(this.root, { recursive: true, force: true })
  }

  private async stopNode (node: SoakNode): Promise<void> {
    if (node.inFlight > 0) {
      await new Promise<void>(resolve => {
        const timer = setTimeout(resolve, this.init.drainTimeout)
        node.drained = () => { clearTimeout(timer); resolve() }
      })
      node.drained = undefined
    }
    try {
      await node.node.stop()
    } finally {
      this.init.ledger.observe(node.node)
    }
  }

  private scheduleRestart (node: SoakNode): void {
    const timer = setTimeout(() => {
      this.pendingRestarts.delete(node.name)
      this.track(this.restart(node))
    }, this.init.restartAfter * 1000)
    this.pendingRestarts.set(node.name, { timer, node })
  }

  private async restart (previous: SoakNode): Promise<void> {
    try {
      const node = await this.createNode(previous.name, true, previous.dataDir)
      if (this.closed) {
        await node.node.stop()
        return
      }
      this.addLive(node)
      this.count('restarted')
      this.init.log(`churn: ${node.name} back with its data directory (${node.node.status().records} records)`)
    } catch (err) {
      this.count('failedJoins')
      this.init.log(`churn: ${previous.name} failed to come back - ${describe(err)}`)
    }
  }

  private addLive (node: SoakNode): void {
    this.live.push(node)
    this.init.ledger.observe(node.node)
  }

  /** A fresh node: every other one with a data directory. */
  private async join (): Promise<SoakNode> {
    const name = this.freshName()
    const persistent = Number(name.slice(1)) % 2 === 1
    const dataDir = persistent ? join(this.root, name) : undefined
    return this.createNode(name, true, dataDir)
  }

  private freshName (): string {
    return `n${this.created++}`
  }

  private async createNode (name: string, withBootstrap: boolean, dataDir?: string): Promise<SoakNode> {
    for (let attempt = 1; ; attempt++) {
      const through = withBootstrap ? this.live[Math.floor(Math.random() * this.live.length)] : undefined
      const bootstrap = through?.node.getMultiaddrs().map(String) ?? []
      try {
        const node = await createProductNode({ ...this.options, bootstrap, dataDir })
        return { name, node, dataDir, inFlight: 0 }
      } catch (err) {
        // a crowded process can keep the bootstrap node from answering in time: try another
        if (!(err instanceof BootstrapError) || attempt >= JOIN_ATTEMPTS) throw err
        this.init.log(`${name}: join through ${through?.name} failed (${err.message}); trying again`)
      }
    }
  }

  private track (work: Promise<void>): void {
    this.underWay.add(work)
    void work.catch(() => {}).finally(() => { this.underWay.delete(work) })
  }

  private count (what: keyof ChurnCounts, n = 1): void {
    this.interval[what] += n
    this.totals[what] += n
  }
}

function describe (err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err)
}
