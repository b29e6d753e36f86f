/**
 * The soak's settings, from the environment. Every one is a whole number;
 * anything else (a fraction, a unit, an empty string) is refused with a
 * message naming the variable, before a node starts.
 */

export interface SoakSettings {
  /** minutes of load and churn (DURATION) */
  durationMinutes: number
  /** live nodes to keep (NODES) */
  nodes: number
  /** operations started per second (RATE) */
  rate: number
  /** seconds between churn rounds (CHURN_EVERY) */
  churnEvery: number
  /** seconds a stopped node with a data directory stays down (RESTART_AFTER) */
  restartAfter: number
  /** seconds between report lines (REPORT_EVERY; a minute unless trying the script out) */
  reportEvery: number
  /** ms between maintenance sweeps of every node (MAINTENANCE_INTERVAL) */
  maintenanceInterval: number
  /** live nodes each product is read from at the end (VERIFY_READERS) */
  verifyReaders: number
  /** operations in flight at most; past it the scheduler skips and counts (MAX_IN_FLIGHT) */
  maxInFlight: number
  /** ms one operation may take (OP_TIMEOUT) */
  opTimeout: number
}

/** The replication the soak runs with: the defaults, named so that churn can stop r − 1 nodes. */
export const REPLICATION = { r: 3, W: 2, R: 2 } as const

export class SettingError extends Error {
  override readonly name = 'SettingError'
}

/** A whole number from the environment, at least `min` (at most `max`), or `fallback` when unset. */
export function wholeNumber (env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name]
  if (raw === undefined) {
    return fallback
  }
  const value = /^\s*\d+\s*$/.test(raw) ? Number(raw) : Number.NaN
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `from ${min} to ${max}`
    throw new SettingError(`${name} must be a whole number ${range}; got ${JSON.stringify(raw)}`)
  }
  return value
}

export function readSettings (env: NodeJS.ProcessEnv = process.env): SoakSettings {
  const rate = wholeNumber(env, 'RATE', 50, 1, 10_000)
  return {
    durationMinutes: wholeNumber(env, 'DURATION', 10, 1),
    // churn stops r − 1 at once; W of them must stay for writes to succeed
    nodes: wholeNumber(env, 'NODES', 20, REPLICATION.r + 2, 200),
    rate,
    churnEvery: wholeNumber(env, 'CHURN_EVERY', 60, 1),
    restartAfter: wholeNumber(env, 'RESTART_AFTER', 30, 1),
    reportEvery: wholeNumber(env, 'REPORT_EVERY', 60, 1),
    maintenanceInterval: wholeNumber(env, 'MAINTENANCE_INTERVAL', 30_000, 100),
    verifyReaders: wholeNumber(env, 'VERIFY_READERS', 3, 1),
    maxInFlight: wholeNumber(env, 'MAX_IN_FLIGHT', Math.max(64, rate * 4), 1),
    opTimeout: wholeNumber(env, 'OP_TIMEOUT', 30_000, 100)
  }
}
