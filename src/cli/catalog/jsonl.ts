/**
 * JSON Lines: one product a line, as the API takes it. A line of a failure
 * file (`{ source, error, product }`, what `import` writes) stands for its
 * product, so that a failure file is a catalog a second run takes.
 */
import { isObject, unreadable } from './items.js'
import type { CatalogItem } from './items.js'
import type { Product } from '../../types.js'

export function readJsonLines (text: string, name: string): CatalogItem[] {
  const items: CatalogItem[] = []
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '') return
    const source = `${name}:${index + 1}`
    let value: unknown
    try {
      value = JSON.parse(line)
    } catch (err) {
      items.push(unreadable(source, `not JSON: ${(err as Error).message}`))
      return
    }
    if (isObject(value) && 'error' in value && 'source' in value) {
      // a line of a failure file
      items.push(isObject(value.product)
        ? { source: `${name}:${index + 1} (first ${String(value.source)})`, product: value.product }
        : unreadable(source, `still unreadable (first ${String(value.source)}): ${String((value.error as { message?: unknown })?.message)}`))
      return
    }
    items.push(isObject(value) ? { source, product: value } : unreadable(source, 'a line must hold one JSON object'))
  })
  return items
}

export function jsonLine (product: Product): string {
  return JSON.stringify(product) + '\n'
}
