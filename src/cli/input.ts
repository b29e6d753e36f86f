/**
 * Reading what a command is given: a file, or standard input for `-`.
 */
import { readFile } from 'node:fs/promises'
import { text } from 'node:stream/consumers'
import { UsageError } from './errors.js'

/** The whole of a file, or of standard input when `path` is `-`. */
export async function readInput (path: string): Promise<string> {
  if (path === '-') {
    return text(process.stdin)
  }
  try {
    return await readFile(path, 'utf8')
  } catch (err) {
    throw new UsageError(`Cannot read ${path}: ${(err as Error).message}`)
  }
}

/** Parses JSON that the user gave, naming where it came from when it is not JSON. */
export function parseJson (source: string, where: string): unknown {
  try {
    return JSON.parse(source)
  } catch (err) {
    throw new UsageError(`${where} is not valid JSON: ${(err as Error).message}`)
  }
}
