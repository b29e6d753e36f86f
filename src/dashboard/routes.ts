/**
 * The dashboard's routes on the daemon's API: the page at `/`, and what it
 * polls besides the API's own routes: `/v1/activity` and `/v1/keyspace`.
 */
import { keyspace } from './keyspace.js'
import { DASHBOARD_HTML } from './page.js'
import type { ActivitySnapshot } from './activity.js'
import type { ProductNode } from '../node.js'
import type { KeyspaceAnswer } from './keyspace.js'
import type { RouteContext } from '../http/context.js'
import type { FastifyInstance } from 'fastify'

/** OpenAPI path items of the dashboard's routes. */
const DASHBOARD_PATHS = {
  '/': { get: { summary: 'The dashboard: a web page of this node, its peers, the keyspace and live operation rates', responses: { 200: { description: 'HTML', content: { 'text/html': {} } } } } },
  '/v1/activity': {
    get: {
      summary: 'Operations of this daemon by kind, and the products touched last (the dashboard polls it)',
      responses: {
        200: {
          description: '{ operations: { put, get, delete, failed }, recent: [{ id, what: put|get|delete|stored, at }] }',
          content: { 'application/json': { schema: { type: 'object', properties: { operations: { type: 'object' }, recent: { type: 'array', items: { type: 'object' } } } } } }
        }
      }
    }
  },
  '/v1/keyspace': {
    get: {
      summary: 'Positions on the keyspace ring of this node, its peers and the recent products, with their replica sets',
      responses: {
        200: {
          description: '{ peers: [{ peerId, position, self }], products: [{ id, position, replicas }] }',
          content: { 'application/json': { schema: { type: 'object', properties: { peers: { type: 'array', items: { type: 'object' } }, products: { type: 'array', items: { type: 'object' } } } } } }
        }
      }
    }
  }
}

export function dashboardRoutes (app: FastifyInstance, node: ProductNode, activity: () => ActivitySnapshot, context: RouteContext): void {
  Object.assign(context.extraPaths, DASHBOARD_PATHS)
  app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(DASHBOARD_HTML))
  app.get('/v1/activity', async (): Promise<ActivitySnapshot> => activity())
  app.get('/v1/keyspace', async (): Promise<KeyspaceAnswer> => keyspace(node, activity().recent.map(r => r.id)))
}
