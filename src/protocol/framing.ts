/**
 * Length-prefixed framing of the record protocol, for both sides. The
 * length prefix is an unsigned varint; a frame longer than MAX_MESSAGE_SIZE
 * is refused as soon as its prefix is read, without waiting for the rest.
 *
 * lpStream checks the prefix's length only once a varint has decoded, so a
 * peer sending continuation bytes forever would be read forever; the
 * decoder here refuses a prefix longer than the longest legal one.
 */
import { InvalidDataLengthLengthError, lpStream } from '@libp2p/utils'
import * as varint from 'uint8-varint'
import { MAX_MESSAGE_SIZE } from './constants.js'
import type { LengthPrefixedStream } from '@libp2p/utils'
import type { Stream } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'

/** Bytes in the varint prefix of the largest legal frame. */
const MAX_PREFIX_LENGTH = varint.encodingLength(MAX_MESSAGE_SIZE)

function decodeLength (prefix: Uint8ArrayList): number {
  try {
    return varint.decode(prefix)
  } catch (err) {
    // an incomplete varint is a RangeError, and lpStream reads one more byte:
    // past the longest legal prefix, stop it with an error it passes on
    if (err instanceof RangeError && prefix.byteLength >= MAX_PREFIX_LENGTH) {
      throw new InvalidDataLengthLengthError(`Message length prefix longer than ${MAX_PREFIX_LENGTH} bytes`)
    }
    throw err
  }
}

export interface FrameHooks {
  /** called when a read takes the first byte of a frame, whether it was buffered or just arrived */
  onFrameStart?(): void
}

/**
 * Frames `stream`. A requester waits for every answer, so more unread bytes
 * than two frames is a peer pushing, not asking: the stream is then aborted.
 */
export function frameStream (stream: Stream, hooks: FrameHooks = {}): LengthPrefixedStream<Stream> {
  return lpStream(stream, {
    maxDataLength: MAX_MESSAGE_SIZE,
    maxLengthLength: MAX_PREFIX_LENGTH,
    // lpStream decodes the prefix again after each byte it reads
    lengthDecoder: prefix => {
      if (prefix.byteLength === 1) {
        hooks.onFrameStart?.()
      }
      return decodeLength(prefix)
    },
    maxBufferSize: 2 * MAX_MESSAGE_SIZE
  })
}
