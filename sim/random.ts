/**
 * A seeded pseudo-random source (sfc32), so that a simulation with the same
 * seed picks the same peers, keys and churn, and prints the same figures.
 */
export class Random {
  private a: number
  private b: number
  private c: number
  private d: number

  constructor (seed: number) {
    this.a = 0x9e3779b9
    this.b = 0x243f6a88
    this.c = 0xb7e15162
    this.d = seed >>> 0
    // the first outputs of sfc32 still show the seed: discard them
    for (let i = 0; i < 16; i++) this.nextUint32()
  }

  nextUint32 (): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0
    this.d = (this.d + 1) >>> 0
    this.a = this.b ^ (this.b >>> 9)
    this.b = (this.c + (this.c << 3)) >>> 0
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0
    this.c = (this.c + t) >>> 0
    return t
  }

  /** A whole number in [0, n). */
  int (n: number): number {
    return Math.floor(this.nextUint32() / 0x1_0000_0000 * n)
  }

  bytes (length: number): Uint8Array {
    const out = new Uint8Array(length)
    for (let i = 0; i < length; i += 4) {
      const word = this.nextUint32()
      for (let j = 0; j < 4 && i + j < length; j++) out[i + j] = (word >>> (8 * j)) & 0xff
    }
    return out
  }

  /** `count` distinct whole numbers in [0, n), in random order. */
  sample (n: number, count: number): number[] {
    const wanted = Math.min(count, n)
    if (wanted * 4 <= n) {
      // few of many: draw until distinct
      const out = new Set<number>()
      while (out.size < wanted) out.add(this.int(n))
      return [...out]
    }
    // a partial Fisher-Yates shuffle of 0..n-1
    const all = Array.from({ length: n }, (_, i) => i)
    for (let i = 0; i < wanted; i++) {
      const j = i + this.int(n - i)
      const swap = all[i]
      all[i] = all[j]
      all[j] = swap
    }
    return all.slice(0, wanted)
  }
}
