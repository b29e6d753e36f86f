/**
 * CSV with a header row: id, name, price, currency, description, category,
 * tags, images, attributes. Empty cells are left out. `tags` and `images`
 * hold their items separated by `|` (or a JSON list, when an item holds a
 * `|`); `attributes` holds a JSON object. Other columns are kept, and the
 * daemon names them as unknown fields.
 */
import { parse } from 'csv-parse/sync'
import { stringify } from 'csv-stringify/sync'
import { unreadable } from './items.js'
import type { CatalogItem } from './items.js'
import type { Product } from '../../types.js'

export const CSV_COLUMNS = ['id', 'name', 'price', 'currency', 'description', 'category', 'tags', 'images', 'attributes'] as const

const LIST_SEPARATOR = '|'

function list (cell: string): unknown {
  return cell.trimStart().startsWith('[') ? JSON.parse(cell) : cell.split(LIST_SEPARATOR).map(item => item.trim()).filter(item => item !== '')
}

/** A CSV row as a product; throws on a cell that cannot be read (a bad JSON list or object). */
function productOfRow (row: Record<string, string>): Record<string, unknown> {
  const product: Record<string, unknown> = {}
  for (const [column, cell] of Object.entries(row)) {
    if (cell === '') continue
    try {
      product[column] = column === 'tags' || column === 'images' ? list(cell) : column === 'attributes' ? JSON.parse(cell) : cell
    } catch (err) {
      throw new Error(`column ${column}: not ${column === 'attributes' ? 'a JSON object' : 'a list'}: ${(err as Error).message}`)
    }
  }
  return product
}

interface ParsedRow {
  record: Record<string, string>
  info: { lines: number }
}

export function readCsv (text: string, name: string): CatalogItem[] {
  const items: Array<CatalogItem & { line: number }> = []
  let rows: ParsedRow[]
  try {
    rows = parse(text, {
      columns: (header: string[]) => header.map(column => column.trim()),
      bom: true,
      skip_empty_lines: true,
      info: true,
      // a row that cannot be read fails alone; the others are imported
      skip_records_with_error: true,
      on_skip: err => {
        const line = (err as { lines?: number } | undefined)?.lines ?? 0
        items.push({ line, ...unreadable(`${name}:${line}`, err?.message ?? 'not a CSV row') })
        return undefined
      }
    }) as unknown as ParsedRow[]
  } catch (err) {
    // the header itself could not be read
    return [unreadable(`${name}:1`, (err as Error).message)]
  }
  for (const { record, info } of rows) {
    try {
      items.push({ line: info.lines, source: '', product: productOfRow(record) })
    } catch (err) {
      items.push({ line: info.lines, ...unreadable('', (err as Error).message) })
    }
  }
  // the parser tells the line a row ends on; a row starts after the one before it (the header is line 1)
  let previousEnd = 1
  return items.sort((a, b) => a.line - b.line).map(({ line, ...item }) => {
    const start = Math.min(previousEnd + 1, line)
    previousEnd = line
    return item.product === undefined && item.source !== '' ? item : { ...item, source: `${name}:${start}` }
  })
}

function listCell (items: string[] | undefined): string {
  if (items === undefined) return ''
  // JSON where the plain form would not read back the same
  const plain = items.every(item => !item.includes(LIST_SEPARATOR) && item === item.trim()) && !items[0].startsWith('[')
  return plain ? items.join(LIST_SEPARATOR) : JSON.stringify(items)
}

export function csvHeader (): string {
  return stringify([[...CSV_COLUMNS]])
}

export function csvRow (product: Product): string {
  return stringify([[
    product.id,
    product.name,
    product.price,
    product.currency,
    product.description ?? '',
    product.category ?? '',
    listCell(product.tags),
    listCell(product.images),
    product.attributes === undefined ? '' : JSON.stringify(product.attributes)
  ]])
}
