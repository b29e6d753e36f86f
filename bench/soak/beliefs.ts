/**
 * What the soak believes the catalog holds: for every product it wrote, the
 * last acknowledged write (version, and the name and price it carried, or a
 * delete). A write that rejected may still have landed on some replicas (the
 * API does not roll back), so after one the product is `unsure` until the
 * next acknowledged write: a read may then show the failed write's newer
 * version. A product is `busy` while one operation on it runs: one at a
 * time, so that each outcome is known against a state that stood still.
 */
import type { ProductRecord } from '../../src/index.js'

export interface Belief {
  id: string
  /** which of the soak's sellers signs it (open catalog: the first signer owns it) */
  seller: number
  /** version of the last acknowledged write; 0 before any */
  version: number
  /** the last acknowledged write was a delete */
  deleted: boolean
  name: string
  price: string
  /** a write after the last acknowledged one rejected: it may or may not have landed */
  unsure?: 'put' | 'delete'
  busy: boolean
}

/** How a read compares with what the soak believes. */
export type ReadVerdict =
  | 'ok'
  /** a put was acknowledged, the read says there is no such product (or a deleted one) */
  | 'missing'
  /** the read returned an older version than acknowledged */
  | 'older'
  /** the version acknowledged, with other content */
  | 'different'
  /** a newer version than acknowledged, though no write of the soak's rejected since */
  | 'newer'
  /** a delete was acknowledged, the read returns the product */
  | 'resurrected'

export class Beliefs {
  private readonly byId = new Map<string, Belief>()
  private readonly ids: string[] = []
  private created = 0
  private readonly sellers: number
  /** acknowledged writes whose version was not above the previous acknowledged one */
  regressions: Array<{ id: string, before: number, after: number }> = []

  constructor (sellers: number) {
    this.sellers = sellers
  }

  get size (): number {
    return this.ids.length
  }

  /** A product id never used before, taken (busy) for its first put. */
  takeNew (): Belief {
    const id = `SOAK-${String(this.created++).padStart(6, '0')}`
    const belief: Belief = { id, seller: this.created % this.sellers, version: 0, deleted: false, name: '', price: '', busy: true }
    this.byId.set(id, belief)
    this.ids.push(id)
    return belief
  }

  /**
   * A random product that is not busy and matches `wanted`, taken (busy);
   * undefined when a few tries found none.
   */
  take (wanted: (belief: Belief) => boolean): Belief | undefined {
    for (let tries = 0; tries < 8 && this.ids.length > 0; tries++) {
      const belief = this.byId.get(this.ids[Math.floor(Math.random() * this.ids.length)])
      if (belief !== undefined && !belief.busy && wanted(belief)) {
        belief.busy = true
        return belief
      }
    }
    return undefined
  }

  release (belief: Belief): void {
    belief.busy = false
  }

  /**
   * Records an acknowledged write. Returns how its version compares with the
   * previous acknowledged one: 'below' is a write already lost (the older
   * write's higher version wins every read and sync); 'equal' is resolved by
   * updatedAt, in this write's favour.
   */
  acknowledged (belief: Belief, version: number, write: { deleted: true } | { deleted: false, name: string, price: string }): 'above' | 'equal' | 'below' {
    const order = belief.version === 0 || version > belief.version ? 'above' : version === belief.version ? 'equal' : 'below'
    if (order !== 'above') {
      this.regressions.push({ id: belief.id, before: belief.version, after: version })
    }
    belief.version = version
    belief.deleted = write.deleted
    if (!write.deleted) {
      belief.name = write.name
      belief.price = write.price
    }
    belief.unsure = undefined
    return order
  }

  rejected (belief: Belief, write: 'put' | 'delete'): void {
    belief.unsure = write
  }

  /** Products that had at least one acknowledged write, or a rejected write that may have landed. */
  all (): Belief[] {
    return [...this.byId.values()]
  }

  /** How a read (undefined: not found) compares with the belief. */
  static judge (belief: Belief, read: ProductRecord | undefined): ReadVerdict {
    if (belief.unsure !== undefined) {
      // the rejected write may have landed: a later version, or the same one
      // with a later updatedAt (a writer that did not know the version)
      if (read === undefined && belief.unsure === 'delete') return 'ok'
      if (read !== undefined && read.version >= belief.version) return 'ok'
    }
    if (belief.version === 0) {
      // never acknowledged: only a rejected first put, which may or may not have landed
      return 'ok'
    }
    if (belief.deleted) {
      return read === undefined ? 'ok' : read.version > belief.version ? 'newer' : 'resurrected'
    }
    if (read === undefined) return 'missing'
    if (read.version < belief.version) return 'older'
    if (read.version > belief.version) return 'newer'
    return read.product.name === belief.name && read.product.price === belief.price ? 'ok' : 'different'
  }
}
