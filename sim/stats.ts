/** Summaries of samples. */

export function mean (values: number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((sum, v) => sum + v, 0) / values.length
}

/** The p-th percentile (nearest rank below) of `values`. */
export function percentile (values: number[], p: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(p / 100 * sorted.length))]
}

/** `count` of `total` as a percentage. */
export function share (count: number, total: number): number {
  return total === 0 ? Number.NaN : 100 * count / total
}

export function sameSet (a: number[], b: number[]): boolean {
  return a.length === b.length && a.every(x => b.includes(x))
}
