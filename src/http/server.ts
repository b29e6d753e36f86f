/**
 * The HTTP API of a product node, on fastify: products, batches, status and
 * peers, the OpenAPI document and Prometheus metrics. It calls the node's
 * public API only.
 */
import { logger } from '@libp2p/logger'
import Fastify from 'fastify'
import { bearerCheck } from './access.js'
import { apiError, errorAnswer, RouteNotFoundError } from './errors.js'
import { resolveHttpOptions } from './options.js'
import { batchRoutes } from './routes/batch.js'
import { metricsRoutes } from './routes/metrics.js'
import { openApiRoutes } from './routes/openapi.js'
import { productRoutes } from './routes/products.js'
import { statusRoutes } from './routes/status.js'
import type { RouteContext } from './context.js'
import type { HttpApiInit } from './options.js'
import type { ProductNode } from '../node.js'
import type { FastifyInstance, FastifyReply } from 'fastify'

const log = logger('product-dht:http')

/** The API, listening. */
export interface HttpApi {
  /** the base URL, such as `http://127.0.0.1:7180` */
  readonly url: string
  /** the fastify instance, for routes of one's own (the dashboard) */
  readonly app: FastifyInstance
  /** Stops taking requests and waits for those in flight. */
  close(): Promise<void>
}

const signals = new WeakMap<FastifyReply, AbortSignal>()

/**
 * A signal that aborts when the response closes before it was sent: the
 * client went away. (fastify's request.signal aborts as soon as a request
 * body has been read, which is too early for a write.)
 */
function clientGone (reply: FastifyReply): AbortSignal {
  let signal = signals.get(reply)
  if (signal === undefined) {
    const controller = new AbortController()
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) controller.abort(new Error('The client went away'))
    })
    signal = controller.signal
    signals.set(reply, signal)
  }
  return signal
}

/**
 * Starts the API for `node` on `init.host` and `init.port`. Throws
 * InvalidParametersError for bad options, among them a host beyond loopback
 * without a token, before anything listens.
 */
export async function startHttpApi (node: ProductNode, init: HttpApiInit = {}, extend?: (app: FastifyInstance, context: RouteContext) => void): Promise<HttpApi> {
  const options = resolveHttpOptions(init)
  const app = Fastify({
    logger: false,
    bodyLimit: options.maxProductBytes,
    // a client that keeps a connection open must not hold up a stop
    forceCloseConnections: true,
    return503OnClosing: true
  })
  // JSON only: a text body would otherwise reach the handlers as a string
  app.removeContentTypeParser('text/plain')

  const authorize = bearerCheck(options.token)
  const context: RouteContext = {
    node,
    options,
    authorizeWrite: request => { authorize(request.headers.authorization) },
    operationSignal: reply => AbortSignal.any([clientGone(reply), AbortSignal.timeout(options.operationTimeout)]),
    clientSignal: clientGone,
    extraPaths: {}
  }

  app.setErrorHandler(async (err: Error, request, reply) => {
    const precondition = request.headers['if-match'] !== undefined || request.headers['if-none-match'] !== undefined
    const { status, body } = errorAnswer(apiError(err), { precondition })
    if (status === 500) {
      log.error('%s %s failed - %e', request.method, request.url, err)
    }
    if (status === 401) {
      void reply.header('www-authenticate', 'Bearer realm="product-dht"')
    }
    return reply.code(status).send(body)
  })
  app.setNotFoundHandler(async (request, reply) => {
    const { status, body } = errorAnswer(new RouteNotFoundError(`No route ${request.method} ${request.url.split('?')[0]}`))
    return reply.code(status).send(body)
  })
  app.addHook('onResponse', async (request, reply) => {
    log('%s %s %d %dms', request.method, request.url, reply.statusCode, Math.round(reply.elapsedTime))
  })

  productRoutes(app, context)
  batchRoutes(app, context)
  statusRoutes(app, context)
  openApiRoutes(app, context)
  metricsRoutes(app, context)
  extend?.(app, context)

  const address = await app.listen({ host: options.host, port: options.port })
  log('listening on %s', address)
  return {
    url: address,
    app,
    close: async () => { await app.close() }
  }
}
