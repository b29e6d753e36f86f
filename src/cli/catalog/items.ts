/**
 * What a catalog file holds, format by format, read into one shape: items
 * that each carry a product (as given, not yet validated) or the reason it
 * could not be read, and where in the file it stands.
 */
import type { ErrorBody } from '../../http/errors.js'

export const FORMATS = ['jsonl', 'csv', 'jsonld'] as const
export type CatalogFormat = typeof FORMATS[number]

export interface CatalogItem {
  /** where it stands: `catalog.csv:17` (a line) or `shop.jsonld#3` (the third product) */
  source: string
  /** the product, as the file gives it (validated by the daemon) */
  product?: Record<string, unknown>
  /** why no product could be read there */
  error?: ErrorBody
}

/** An item that could not be read: an InvalidRequestError with `message`. */
export function unreadable (source: string, message: string): CatalogItem {
  return { source, error: { name: 'InvalidRequestError', message } }
}

/** The format a file name implies, or undefined. */
export function formatOf (path: string): CatalogFormat | undefined {
  const lower = path.toLowerCase()
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl'
  if (lower.endsWith('.csv')) return 'csv'
  if (lower.endsWith('.jsonld') || lower.endsWith('.json') || lower.endsWith('.html') || lower.endsWith('.htm')) return 'jsonld'
  return undefined
}

/** A plain object (not an array, not null). */
export function isObject (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
