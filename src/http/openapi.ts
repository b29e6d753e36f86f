/**
 * The OpenAPI 3.1 document of the API. The Product schema is derived from
 * the zod schema the node validates with (productJsonSchema), never
 * written out by hand; OpenAPI 3.1 takes JSON Schema 2020-12 as it is.
 */
import { productJsonSchema } from '../model/product.js'
import type { ResolvedHttpOptions } from './options.js'

type Schema = Record<string, unknown>

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` })
const json = (schema: Schema, description: string): Schema => ({ description, content: { 'application/json': { schema } } })
const errorResponse = (description: string): Schema => json(ref('Error'), description)
const idParameter = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$' } }
const precondition = [
  { name: 'If-Match', in: 'header', required: false, schema: { type: 'string' }, description: 'write only over this version, as the ETag gives it ("3"), or * (only over an existing product)' },
  { name: 'If-None-Match', in: 'header', required: false, schema: { type: 'string', enum: ['*'] }, description: '*: write only when the product does not exist' }
]
const stringList = { type: 'array', items: { type: 'string' } }

export function openApiDocument (options: ResolvedHttpOptions, version: string, extraPaths: Record<string, unknown> = {}): Schema {
  const { $schema: _, ...product } = productJsonSchema()
  const writeErrors = {
    400: errorResponse('InvalidProductError (with `issues`, one per failing field), InvalidRequestError'),
    401: errorResponse('UnauthorizedError: the bearer token is missing or wrong'),
    403: errorResponse('NotOwnerError, UnauthorizedPublisherError'),
    409: errorResponse('VersionConflictError: concurrent writers kept overtaking this write'),
    412: errorResponse('VersionConflictError: the If-Match / If-None-Match condition failed (`currentVersion`)'),
    413: errorResponse('PayloadTooLargeError, RecordTooLargeError'),
    415: errorResponse('UnsupportedMediaTypeError: send application/json'),
    503: errorResponse('QuorumError: too few replicas acknowledged (`needed`, `succeeded`, `failed`)')
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'product-dht',
      version,
      description: `The HTTP API of a product-dht node. Writes need "Authorization: Bearer <token>" when the daemon has a token (always, beyond loopback). Product bodies up to ${options.maxProductBytes} bytes, batches up to ${options.maxBatchBytes} bytes and ${options.maxBatchSize} products.`
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Product: product,
        Error: {
          type: 'object',
          required: ['name', 'message'],
          properties: {
            name: { type: 'string', description: "the error's stable name, as the library's typed errors have it" },
            message: { type: 'string' },
            issues: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } } },
            currentVersion: { type: 'integer' },
            needed: { type: 'integer' },
            succeeded: { type: 'integer' },
            failed: { type: 'array', items: { type: 'object', properties: { peer: { type: 'string' }, reason: { type: 'string' }, status: { type: 'string' } } } },
            owner: { type: 'string' }
          }
        },
        WriteReceipt: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            key: { type: 'string' },
            version: { type: 'integer' },
            replicas: stringList,
            failed: { type: 'array', items: { type: 'object' } },
            publisher: { type: 'string' }
          }
        }
      }
    },
    paths: {
      '/v1/products/{id}': {
        parameters: [idParameter],
        get: {
          summary: 'Read a product from its replicas',
          responses: {
            200: { ...json(ref('Product'), 'The product; ETag is its version, X-Product-Publisher its publisher, X-Replicas-Answered and X-Replicas-Agreed what the read heard'), headers: { ETag: { schema: { type: 'string' } } } },
            400: errorResponse('InvalidProductError: the id is not a valid product id'),
            404: errorResponse('ProductNotFoundError'),
            503: errorResponse('QuorumError: too few replicas answered (never reported as not found)')
          }
        },
        put: {
          summary: 'Store a product (the id may be left out of the body)',
          security: [{ bearer: [] }, {}],
          parameters: precondition,
          requestBody: { required: true, content: { 'application/json': { schema: ref('Product') } } },
          responses: { 200: json(ref('WriteReceipt'), 'Stored on at least W replicas; ETag is the new version'), ...writeErrors }
        },
        delete: {
          summary: 'Delete a product (a signed tombstone)',
          security: [{ bearer: [] }, {}],
          parameters: precondition,
          responses: { 200: json(ref('WriteReceipt'), 'The tombstone is on at least W replicas'), ...writeErrors }
        }
      },
      '/v1/products': {
        get: {
          summary: 'The products this node holds as a replica, one JSON object a line',
          responses: { 200: { description: 'application/x-ndjson', content: { 'application/x-ndjson': { schema: ref('Product') } } } }
        }
      },
      '/v1/products:batch': {
        post: {
          summary: 'Store many products; one result per product, in order',
          security: [{ bearer: [] }, {}],
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', additionalProperties: false, required: ['products'], properties: { products: { type: 'array', maxItems: options.maxBatchSize, items: ref('Product') } } } } } },
          responses: {
            200: json({
              type: 'object',
              properties: {
                succeeded: { type: 'integer' },
                failed: { type: 'integer' },
                results: { type: 'array', items: { oneOf: [{ allOf: [ref('WriteReceipt'), { properties: { ok: { const: true } } }] }, { type: 'object', properties: { ok: { const: false }, index: { type: 'integer' }, id: { type: 'string' }, error: ref('Error') } }] } }
              }
            }, 'Each product stored or refused'),
            ...writeErrors
          }
        }
      },
      '/v1/status': {
        get: {
          summary: 'This node',
          responses: {
            200: json({
              type: 'object',
              properties: {
                peerId: { type: 'string' },
                multiaddrs: { ...stringList, description: 'addresses other nodes can bootstrap from' },
                publisher: { type: 'string' },
                connectedPeers: { type: 'integer' },
                recordPeers: { type: 'integer' },
                recordsHeld: { type: 'integer', description: 'records held as a replica, tombstones included' },
                underReplicated: { type: 'integer', description: 'records the last maintenance pass could not confirm on r peers' },
                maintenance: {
                  type: 'object',
                  description: 'what replica maintenance did since the node started',
                  properties: Object.fromEntries(['passes', 'syncs', 'failedSyncs', 'syncMessages', 'syncBytes', 'pushed', 'pulled', 'handedOff', 'underReplicated', 'heldBack', 'droppedStale', 'lastPassAt', 'lastPassMs'].map(name => [name, { type: 'integer' }]))
                },
                uptime: { type: 'integer', description: 'seconds' }
              }
            }, 'The node')
          }
        }
      },
      '/v1/peers': {
        get: {
          summary: 'The peers this node is connected to',
          responses: {
            200: json({ type: 'object', properties: { peers: { type: 'array', items: { type: 'object', properties: { peerId: { type: 'string' }, addresses: stringList, protocols: stringList, recordPeer: { type: 'boolean' } } } } } }, 'Connected peers')
          }
        }
      },
      ...(options.metricsRegistry === undefined
        ? {}
        : { '/metrics': { get: { summary: 'Prometheus metrics: libp2p and product-dht', responses: { 200: { description: 'Prometheus text format', content: { 'text/plain': {} } } } } } }),
      '/v1/openapi.json': { get: { summary: 'This document', responses: { 200: { description: 'OpenAPI 3.1' } } } },
      ...extraPaths
    }
  }
}
