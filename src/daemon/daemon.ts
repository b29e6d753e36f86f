/**
 * The daemon: a product node with Prometheus metrics, its HTTP API and the
 * dashboard (at `/`), as one thing that starts and stops. The CLI's `daemon` command runs it.
 */
import { prometheusMetrics } from '@libp2p/prometheus-metrics'
import { logger } from '@libp2p/logger'
import { Registry } from 'prom-client'
import { createProductNode } from '../node.js'
import { resolveHttpOptions } from '../http/options.js'
import { startHttpApi } from '../http/server.js'
import { Activity } from '../dashboard/activity.js'
import { dashboardRoutes } from '../dashboard/routes.js'
import { ProductMetrics } from './metrics.js'
import type { HttpApi } from '../http/server.js'
import type { HttpApiInit } from '../http/options.js'
import type { ProductNode } from '../node.js'
import type { ProductNodeOptions } from '../options.js'
import type { AbortOptions } from '@libp2p/interface'

const log = logger('product-dht:daemon')

export interface DaemonInit {
  /** the node's options (metrics are the daemon's) */
  node?: Omit<ProductNodeOptions, 'metrics' | 'signal' | 'start'>
  /** the HTTP API's options (its registry and progress hooks are the daemon's) */
  http?: Omit<HttpApiInit, 'metricsRegistry' | 'onProgress' | 'recordProtocol'>
}

export interface Daemon {
  readonly node: ProductNode
  readonly api: HttpApi
  /** Stops the API, then the node; safe to call more than once. */
  stop(): Promise<void>
}

/**
 * Starts a node (joining its bootstrap peers) and the HTTP API in front of
 * it. Checks the API's options first, so that an API that may not listen
 * where it was told to (beyond loopback without a token) refuses before
 * the node starts. Stops whatever it started when a later part fails.
 */
export async function startDaemon (init: DaemonInit = {}, options: AbortOptions = {}): Promise<Daemon> {
  const nodeOptions = init.node ?? {}
  resolveHttpOptions(init.http)
  const registry = new Registry()
  const node = await createProductNode({
    ...nodeOptions,
    // the registry is this daemon's, not prom-client's global one
    metrics: prometheusMetrics({ registry }),
    signal: options.signal
  })
  let metrics: ProductMetrics | undefined
  const activity = new Activity(node)
  try {
    const libp2pMetrics = node.libp2p.metrics
    metrics = libp2pMetrics === undefined ? undefined : new ProductMetrics(node, libp2pMetrics)
    const api = await startHttpApi(node, {
      ...init.http,
      metricsRegistry: registry,
      onProgress: metrics?.onProgress,
      recordProtocol: nodeOptions.recordProtocol
    }, (app, context) => { dashboardRoutes(app, node, () => activity.snapshot(), context) })
    log('node %p, API at %s', node.peerId, api.url)
    let stopping: Promise<void> | undefined
    return {
      node,
      api,
      stop: async () => {
        stopping ??= (async () => {
          log('stopping the API')
          await api.close()
          metrics?.stop()
          activity.stop()
          log('stopping the node')
          await node.stop()
          log('stopped')
        })()
        return stopping
      }
    }
  } catch (err) {
    metrics?.stop()
    activity.stop()
    await node.stop()
    throw err
  }
}
