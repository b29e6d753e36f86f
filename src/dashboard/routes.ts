/**
 * The dashboard's routes on the daemon's API: the page at `/`, and what it
 * polls besides the API's own routes: `/v1/activity` and `/v1/keyspace`.
 */
import { keyspace } from './keyspace.js'
import { DASHBOARD_HTML } from './page.js'
import type { ActivitySnapshot } from './activity.js'
import type { ProductNode } from '../node.js'
import type { KeyspaceAnswer } from './keyspace.js'
import type { FastifyInstance } from 'fastify'

export function dashboardRoutes (app: FastifyInstance, node: ProductNode, activity: () => ActivitySnapshot): void {
  app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(DASHBOARD_HTML))
  app.get('/v1/activity', async (): Promise<ActivitySnapshot> => activity())
  app.get('/v1/keyspace', async (): Promise<KeyspaceAnswer> => keyspace(node, activity().recent.map(r => r.id)))
}
