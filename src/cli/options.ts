/**
 * Option parsers and the options client commands share.
 */
import { InvalidArgumentError, Option } from 'commander'
import { DEFAULT_HTTP_PORT } from '../http/options.js'
import type { Command } from 'commander'

/** A whole number from `min` to `max`, for commander's argParser. */
export function wholeNumber (min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return value => {
    const n = Number(value)
    if (!/^\d+$/.test(value.trim()) || n < min || n > max) {
      throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}`)
    }
    return n
  }
}

/** An http(s) URL, for commander's argParser: a typo is a usage error, not a daemon that did not answer. */
export function httpUrl (value: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new InvalidArgumentError('must be an http:// or https:// URL, such as http://127.0.0.1:7180')
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidArgumentError('must be an http:// or https:// URL, such as http://127.0.0.1:7180')
  }
  return value
}

/** The options of commands that talk to a daemon. */
export interface ClientOptions {
  api: string
  token?: string
  timeout: number
  json: boolean
}

export const DEFAULT_API_URL = `http://127.0.0.1:${DEFAULT_HTTP_PORT}`

/** Adds --api, --token, --timeout and --json to a command that talks to a daemon. */
export function withClientOptions (command: Command): Command {
  return command
    .addOption(new Option('--api <url>', "the daemon's HTTP API").env('PRODUCT_DHT_API').argParser(httpUrl).default(DEFAULT_API_URL))
    .addOption(new Option('--token <token>', "the API's bearer token, for writes").env('PRODUCT_DHT_API_TOKEN'))
    .addOption(new Option('--timeout <ms>', 'ms to wait for each answer').argParser(wholeNumber(1)).default(60_000))
    .option('--json', 'print results as JSON, one object a line', false)
}
