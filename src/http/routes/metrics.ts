/**
 * `GET /metrics`: the Prometheus text format of the registry libp2p's
 * metrics (and product-dht's) are kept in, when the API was given one.
 */
import type { RouteContext } from '../context.js'
import type { FastifyInstance } from 'fastify'

export function metricsRoutes (app: FastifyInstance, context: RouteContext): void {
  const registry = context.options.metricsRegistry
  if (registry === undefined) {
    return
  }
  app.get('/metrics', async (_request, reply) => {
    const text = await registry.metrics()
    return reply.type(registry.contentType).send(text)
  })
}
