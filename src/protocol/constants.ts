import { MAX_RECORD_SIZE } from '../model/record.js'

/** The record protocol's id. */
export const RECORD_PROTOCOL = '/product-dht/record/1.0.0'

/** Largest frame either side reads: a record plus room for the key, status text and peer hints. */
export const MAX_MESSAGE_SIZE = MAX_RECORD_SIZE + 16 * 1024

/** How long one request may take, end to end, by default (ms). */
export const DEFAULT_REQUEST_TIMEOUT = 5_000

/** How many inbound record streams one connection may have open at once, by default. */
export const DEFAULT_MAX_INBOUND_STREAMS = 32

/** Byte length of a product key: a sha2-256 multihash. */
export const KEY_LENGTH = 34

/** How long an inbound stream may stay open between two requests (ms). */
export const DEFAULT_IDLE_STREAM_TIMEOUT = 60_000

/** How long the client keeps an idle stream for reuse (ms): well inside the server's idle timeout. */
export const CLIENT_IDLE_STREAM_TIMEOUT = 20_000

/** Requests one stream carries before the server closes it (the requester opens another). */
export const MAX_REQUESTS_PER_STREAM = 100_000
