/**
 * The client side of the daemon's HTTP API, for the CLI's commands: one
 * method per route, each bounded by the client's timeout and the caller's
 * signal; errors as ApiError (what the daemon answered) or
 * DaemonUnreachableError (nothing answered).
 */
import { ApiError, DaemonUnreachableError } from './errors.js'
import type { ErrorBody } from '../http/errors.js'
import type { WriteReceipt } from '../http/json.js'
import type { BatchAnswer } from '../http/routes/batch.js'
import type { PeerAnswer, StatusAnswer } from '../http/routes/status.js'
import type { Product } from '../types.js'
import type { AbortOptions } from '@libp2p/interface'

export interface ClientInit {
  /** the API's base URL, such as `http://127.0.0.1:7180` */
  url: string
  /** the bearer token for writes */
  token?: string
  /** ms one request may take (default 60000) */
  timeout?: number
}

/** A product as read, with what the response headers said about it. */
export interface ReadProduct {
  product: Product
  version: number
  publisher?: string
  /** when the record was written, ISO 8601 (to the second: the API's Last-Modified) */
  updatedAt?: string
}

/** An HTTP date (Last-Modified, to the second) as ISO 8601, the form the rest of the JSON output uses. */
function isoDate (httpDate: string | null): string | undefined {
  const time = httpDate === null ? Number.NaN : Date.parse(httpDate)
  return Number.isNaN(time) ? undefined : new Date(time).toISOString()
}

/** The condition of a write: a version (`0`: only if none exists), or none. */
export interface WriteCondition {
  ifMatch?: number
}

export class ApiClient {
  readonly url: string
  private readonly token?: string
  private readonly timeout: number

  constructor (init: ClientInit) {
    this.url = init.url.replace(/\/+$/, '')
    this.token = init.token === '' ? undefined : init.token
    this.timeout = init.timeout ?? 60_000
  }

  /** The product, or undefined when the daemon answers 404. */
  async getProduct (id: string, options: AbortOptions = {}): Promise<ReadProduct | undefined> {
    const response = await this.request('GET', `/v1/products/${encodeURIComponent(id)}`, { allowNotFound: true, signal: options.signal })
    if (response === undefined) {
      return undefined
    }
    const etag = response.headers.get('etag') ?? ''
    return {
      product: await response.json() as Product,
      version: Number(/^"(\d+)"$/.exec(etag)?.[1] ?? 0),
      publisher: response.headers.get('x-product-publisher') ?? undefined,
      updatedAt: isoDate(response.headers.get('last-modified'))
    }
  }

  async putProduct (id: string, product: unknown, condition: WriteCondition = {}, options: AbortOptions = {}): Promise<WriteReceipt> {
    return this.json('PUT', `/v1/products/${encodeURIComponent(id)}`, product, condition, options.signal)
  }

  async deleteProduct (id: string, condition: WriteCondition = {}, options: AbortOptions = {}): Promise<WriteReceipt> {
    return this.json('DELETE', `/v1/products/${encodeURIComponent(id)}`, undefined, condition, options.signal)
  }

  async putBatch (products: unknown[], options: AbortOptions = {}): Promise<BatchAnswer> {
    return this.json('POST', '/v1/products:batch', { products }, {}, options.signal)
  }

  async status (options: AbortOptions = {}): Promise<StatusAnswer> {
    return this.json('GET', '/v1/status', undefined, {}, options.signal)
  }

  async peers (options: AbortOptions = {}): Promise<PeerAnswer[]> {
    return (await this.json<{ peers: PeerAnswer[] }>('GET', '/v1/peers', undefined, {}, options.signal)).peers
  }

  /** The products the daemon's node holds, as they stream in. */
  async * heldProducts (options: AbortOptions = {}): AsyncGenerator<Product> {
    // a long export: no overall timeout, only the caller's signal
    const response = await this.request('GET', '/v1/products', { signal: options.signal, noTimeout: true })
    if (response?.body == null) {
      return
    }
    const decoder = new TextDecoder()
    let pending = ''
    for await (const chunk of response.body) {
      pending += decoder.decode(chunk, { stream: true })
      const lines = pending.split('\n')
      pending = lines.pop() ?? ''
      for (const line of lines) {
        if (line.trim() !== '') yield JSON.parse(line) as Product
      }
    }
    if (pending.trim() !== '') yield JSON.parse(pending) as Product
  }

  private async json <T> (method: string, path: string, body?: unknown, condition: WriteCondition = {}, signal?: AbortSignal): Promise<T> {
    const response = await this.request(method, path, { body, condition, signal })
    return await response!.json() as T
  }

  private async request (method: string, path: string, options: { body?: unknown, condition?: WriteCondition, allowNotFound?: boolean, signal?: AbortSignal, noTimeout?: boolean } = {}): Promise<Response | undefined> {
    const headers: Record<string, string> = { accept: 'application/json' }
    if (options.body !== undefined) headers['content-type'] = 'application/json'
    if (this.token !== undefined && method !== 'GET') headers.authorization = `Bearer ${this.token}`
    const version = options.condition?.ifMatch
    if (version !== undefined) {
      if (version === 0) headers['if-none-match'] = '*'
      else headers['if-match'] = `"${version}"`
    }
    const signals = [options.signal, options.noTimeout === true ? undefined : AbortSignal.timeout(this.timeout)].filter(s => s !== undefined)
    let response: Response
    try {
      response = await fetch(this.url + path, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: signals.length === 0 ? undefined : AbortSignal.any(signals)
      })
    } catch (err) {
      const cause = (err as { cause?: { code?: string, message?: string } }).cause
      if ((err as Error).name === 'TimeoutError') {
        throw new DaemonUnreachableError(this.url, `no answer within ${this.timeout} ms`)
      }
      if ((err as Error).name === 'AbortError') {
        throw err
      }
      throw new DaemonUnreachableError(this.url, cause?.code ?? cause?.message ?? (err as Error).message)
    }
    if (response.status === 404 && options.allowNotFound === true) {
      const body = await response.json().catch(() => undefined) as ErrorBody | undefined
      if (body?.name === 'ProductNotFoundError') {
        return undefined
      }
      throw new ApiError(404, body ?? { name: 'RouteNotFoundError', message: `${method} ${path}: 404` })
    }
    if (!response.ok) {
      const text = await response.text()
      let body: ErrorBody
      try {
        body = JSON.parse(text) as ErrorBody
      } catch {
        body = { name: 'InternalError', message: `${method} ${path} answered ${response.status}: ${text.slice(0, 200)}` }
      }
      throw new ApiError(response.status, body)
    }
    return response
  }
}
