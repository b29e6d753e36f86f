/**
 * This package's version, read from its package.json: one level up from
 * src/ when run from source, two from dist/src/ when built.
 */
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

function read (): string {
  for (const path of ['../package.json', '../../package.json']) {
    try {
      const pkg = require(path) as { name?: string, version?: string }
      if (pkg.name === 'product-dht' && typeof pkg.version === 'string') return pkg.version
    } catch {}
  }
  return '0.0.0'
}

export const PACKAGE_VERSION = read()
