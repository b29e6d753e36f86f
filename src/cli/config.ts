/**
 * The daemon's configuration from three places: flags, environment
 * variables (PRODUCT_DHT_*) and a JSON config file. Flags win over the
 * environment, which wins over the file, which wins over the defaults.
 */
import { readFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { UsageError } from './errors.js'
import type { AddressFilter } from '../options.js'
import type { ReadFanout } from '../types.js'

/** Everything the daemon takes, under the names the config file uses (the flags' names in camelCase). */
export interface DaemonConfig {
  dataDir: string
  listen?: string[]
  announce?: string[]
  bootstrap?: string[]
  startAlone: boolean
  catalog?: string
  replicationFactor?: number
  writeQuorum?: number
  readQuorum?: number
  readFanout?: ReadFanout
  readHedgeDelay?: number
  maintenanceInterval?: number
  maintenanceDelay?: number
  maintenanceRate?: number
  tombstoneGracePeriod?: number
  clientMode: boolean
  publisherKey?: string
  publishers?: string[]
  dhtProtocol?: string
  addressFilter?: AddressFilter
  httpHost: string
  httpPort: number
  apiToken?: string
  apiTokenFile?: string
}

/** Which keys a config file may have, with the kind of value each takes. */
export const CONFIG_KEYS: Record<keyof DaemonConfig, 'string' | 'list' | 'number' | 'boolean'> = {
  dataDir: 'string',
  listen: 'list',
  announce: 'list',
  bootstrap: 'list',
  startAlone: 'boolean',
  catalog: 'string',
  replicationFactor: 'number',
  writeQuorum: 'number',
  readQuorum: 'number',
  readFanout: 'string',
  readHedgeDelay: 'number',
  maintenanceInterval: 'number',
  maintenanceDelay: 'number',
  maintenanceRate: 'number',
  tombstoneGracePeriod: 'number',
  clientMode: 'boolean',
  publisherKey: 'string',
  publishers: 'list',
  dhtProtocol: 'string',
  addressFilter: 'string',
  httpHost: 'string',
  httpPort: 'number',
  apiToken: 'string',
  apiTokenFile: 'string'
}

export const DEFAULT_DATA_DIR = join(homedir(), '.product-dht')

/** Reads and checks a config file: a JSON object of CONFIG_KEYS. */
export async function readConfigFile (path: string): Promise<Partial<DaemonConfig>> {
  let parsed: unknown
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'))
  } catch (err) {
    throw new UsageError(`Cannot read the config file ${path}: ${(err as Error).message}`)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(`The config file ${path} must hold a JSON object`)
  }
  const problems: string[] = []
  for (const [key, value] of Object.entries(parsed)) {
    const kind = CONFIG_KEYS[key as keyof DaemonConfig]
    if (kind === undefined) {
      problems.push(`${key}: not a setting (settings: ${Object.keys(CONFIG_KEYS).join(', ')})`)
    } else if (kind === 'list' ? !(Array.isArray(value) && value.every(v => typeof v === 'string')) : typeof value !== kind) {
      problems.push(`${key}: must be ${kind === 'list' ? 'a list of strings' : `a ${kind}`}`)
    }
  }
  if (problems.length > 0) {
    throw new UsageError(`The config file ${path} has errors:\n  ${problems.join('\n  ')}`)
  }
  return parsed as Partial<DaemonConfig>
}

/**
 * Layers the sources: `given` holds each flag's value and where it came
 * from (commander's value sources: 'cli', 'env', 'default'); the file fills
 * in what neither the command line nor the environment set.
 */
export function mergeConfig (given: Record<string, { value: unknown, source?: string }>, file: Partial<DaemonConfig>): DaemonConfig {
  const merged: Record<string, unknown> = {}
  for (const key of Object.keys(CONFIG_KEYS)) {
    const flag = given[key]
    const explicit = flag?.source === 'cli' || flag?.source === 'env'
    const value = explicit ? flag.value : (file as Record<string, unknown>)[key] ?? flag?.value
    if (value !== undefined) {
      merged[key] = CONFIG_KEYS[key as keyof DaemonConfig] === 'list' && flag?.source === 'env' ? [value].flat().flatMap(v => splitList(String(v))) : value
    }
  }
  return merged as unknown as DaemonConfig
}

/** A list given in an environment variable: comma or white space separated. */
export function splitList (value: string): string[] {
  return value.split(/[\s,]+/).filter(item => item !== '')
}
