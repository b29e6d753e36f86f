/**
 * Options of the HTTP API, their defaults and checks.
 */
import { InvalidParametersError } from '../errors.js'
import { RECORD_PROTOCOL } from '../options.js'
import { checkListenPolicy } from './access.js'
import type { GetProgressEvents, PutProgressEvents } from '../types.js'
import type { Registry } from 'prom-client'

/** The port the API listens on unless told otherwise. */
export const DEFAULT_HTTP_PORT = 7180

export interface HttpApiInit {
  /** host name or address to listen on (default `127.0.0.1`); beyond loopback a `token` is required */
  host?: string
  /** TCP port (default 7180; 0 picks a free one) */
  port?: number
  /** bearer token writes must carry (default none, allowed on loopback only); at least 16 characters */
  token?: string
  /** bytes a single product's request body may have (default 262144) */
  maxProductBytes?: number
  /** bytes a batch request body may have (default 8388608) */
  maxBatchBytes?: number
  /** products one batch may hold (default 1000) */
  maxBatchSize?: number
  /** products of one batch written at once (default 8) */
  batchConcurrency?: number
  /** ms one product operation may take before the API answers with its error (default 30000) */
  operationTimeout?: number
  /** the Prometheus registry `/metrics` serves (default none: no `/metrics` route) */
  metricsRegistry?: Registry
  /** called with the progress events of every operation the API runs (metrics use them) */
  onProgress?(event: PutProgressEvents | GetProgressEvents): void
  /** the record protocol id, to tell record peers among the connected ones (default `/product-dht/record/1.0.0`) */
  recordProtocol?: string
}

export interface ResolvedHttpOptions {
  host: string
  port: number
  token?: string
  maxProductBytes: number
  maxBatchBytes: number
  maxBatchSize: number
  batchConcurrency: number
  operationTimeout: number
  metricsRegistry?: Registry
  onProgress?(event: PutProgressEvents | GetProgressEvents): void
  recordProtocol: string
}

export const HTTP_DEFAULTS = {
  host: '127.0.0.1',
  port: DEFAULT_HTTP_PORT,
  maxProductBytes: 256 * 1024,
  maxBatchBytes: 8 * 1024 * 1024,
  maxBatchSize: 1000,
  batchConcurrency: 8,
  operationTimeout: 30_000
} as const

function whole (name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidParametersError(`${name} must be a whole number from ${min} to ${max}; got ${value}`)
  }
}

/** Fills in the defaults and checks every value; throws InvalidParametersError. */
export function resolveHttpOptions (init: HttpApiInit = {}): ResolvedHttpOptions {
  const resolved: ResolvedHttpOptions = {
    host: init.host ?? HTTP_DEFAULTS.host,
    port: init.port ?? HTTP_DEFAULTS.port,
    token: init.token === '' ? undefined : init.token,
    maxProductBytes: init.maxProductBytes ?? HTTP_DEFAULTS.maxProductBytes,
    maxBatchBytes: init.maxBatchBytes ?? HTTP_DEFAULTS.maxBatchBytes,
    maxBatchSize: init.maxBatchSize ?? HTTP_DEFAULTS.maxBatchSize,
    batchConcurrency: init.batchConcurrency ?? HTTP_DEFAULTS.batchConcurrency,
    operationTimeout: init.operationTimeout ?? HTTP_DEFAULTS.operationTimeout,
    metricsRegistry: init.metricsRegistry,
    onProgress: init.onProgress,
    recordProtocol: init.recordProtocol ?? RECORD_PROTOCOL
  }
  whole('port', resolved.port, 0, 65535)
  whole('maxProductBytes', resolved.maxProductBytes, 1024)
  whole('maxBatchBytes', resolved.maxBatchBytes, 1024)
  whole('maxBatchSize', resolved.maxBatchSize, 1)
  whole('batchConcurrency', resolved.batchConcurrency, 1, 256)
  whole('operationTimeout', resolved.operationTimeout, 1)
  checkListenPolicy(resolved.host, resolved.token)
  return resolved
}
