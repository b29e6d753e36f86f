/**
 * Catalog files in and out, whatever their format: read into items, written
 * from products one at a time.
 */
import { once } from 'node:events'
import { createWriteStream } from 'node:fs'
import { UsageError } from '../errors.js'
import { readInput } from '../input.js'
import { csvHeader, csvRow, readCsv } from './csv.js'
import { formatOf, FORMATS } from './items.js'
import { JSON_LD_END, JSON_LD_START, nodeOfProduct, readJsonLd } from './jsonld.js'
import { jsonLine, readJsonLines } from './jsonl.js'
import type { CatalogFormat, CatalogItem } from './items.js'
import type { Product } from '../../types.js'

/** The format asked for, else the one the file name implies; `-` (standard input or output) needs one asked for. */
export function chooseFormat (path: string, asked: string | undefined): CatalogFormat {
  if (asked !== undefined) {
    if (!(FORMATS as readonly string[]).includes(asked)) {
      throw new UsageError(`--format must be one of ${FORMATS.join(', ')}; got ${asked}`)
    }
    return asked as CatalogFormat
  }
  const implied = formatOf(path)
  if (implied === undefined) {
    throw new UsageError(`Cannot tell the format of ${path === '-' ? 'standard input or output' : path} from its name: pass --format ${FORMATS.join('|')}`)
  }
  return implied
}

/** Every item of a catalog file (`-`: standard input). */
export async function readCatalog (path: string, format: CatalogFormat): Promise<CatalogItem[]> {
  const text = await readInput(path)
  const name = path === '-' ? 'stdin' : path
  switch (format) {
    case 'jsonl': return readJsonLines(text, name)
    case 'csv': return readCsv(text, name)
    case 'jsonld': return readJsonLd(text, name)
  }
}

/** Writes products to a file (`-`: standard output) in one format. */
export class CatalogWriter {
  private readonly format: CatalogFormat
  private readonly stream: NodeJS.WritableStream
  private readonly ownStream: boolean
  private written = 0

  constructor (path: string, format: CatalogFormat) {
    this.format = format
    this.ownStream = path !== '-'
    this.stream = this.ownStream ? createWriteStream(path) : process.stdout
    this.put(format === 'csv' ? csvHeader() : format === 'jsonld' ? JSON_LD_START : '')
  }

  get count (): number {
    return this.written
  }

  async write (product: Product): Promise<void> {
    let text: string
    switch (this.format) {
      case 'jsonl': text = jsonLine(product); break
      case 'csv': text = csvRow(product); break
      case 'jsonld': text = (this.written === 0 ? '' : ',\n') + JSON.stringify(nodeOfProduct(product)); break
    }
    this.written++
    if (!this.put(text)) {
      await once(this.stream, 'drain')
    }
  }

  /** Ends the document and, for a file, waits until it is on disk. */
  async end (): Promise<void> {
    if (this.format === 'jsonld') this.put(JSON_LD_END)
    if (this.ownStream) {
      const finished = once(this.stream, 'finish')
      this.stream.end()
      await finished
    }
  }

  private put (text: string): boolean {
    return text === '' ? true : this.stream.write(text)
  }
}
