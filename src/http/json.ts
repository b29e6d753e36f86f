/**
 * The JSON forms of what the API returns: peer ids as strings, dates as ISO
 * strings, versions as entity tags.
 */
import type { ProductRecord, WriteResult } from '../types.js'

/** The receipt of a put or delete, as the API returns it. */
export interface WriteReceipt {
  id: string
  key: string
  version: number
  replicas: string[]
  failed: Array<{ peer: string, reason: string, status?: string }>
  publisher: string
}

export function writeReceipt (id: string, result: WriteResult): WriteReceipt {
  return {
    id,
    key: result.key,
    version: result.version,
    replicas: result.replicas.map(String),
    failed: result.failed.map(f => ({ peer: String(f.peer), reason: f.reason, ...(f.status === undefined ? {} : { status: f.status }) })),
    publisher: String(result.publisher)
  }
}

/** A version as a strong entity tag: `"3"`. */
export function entityTag (version: number): string {
  return `"${version}"`
}

/** What a read learned besides the product, as response headers. */
export function recordHeaders (record: ProductRecord): Record<string, string> {
  const headers: Record<string, string> = {
    etag: entityTag(record.version),
    'last-modified': record.updatedAt.toUTCString(),
    'x-product-version': String(record.version),
    'x-product-publisher': String(record.publisher),
    'x-replicas-answered': String(record.answered),
    'x-replicas-agreed': String(record.agreed)
  }
  if (record.expiresAt !== undefined) {
    headers.expires = record.expiresAt.toUTCString()
  }
  return headers
}
