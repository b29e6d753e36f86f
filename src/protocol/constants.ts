import { MAX_RECORD_SIZE } from '../model/record.js'

/** The record protocol's id. */
export const RECORD_PROTOCOL = '/product-dht/record/1.0.0'

/** Largest frame either side reads: a record plus room for the key, status text and peer hints. */
export const MAX_MESSAGE_SIZE = MAX_RECORD_SIZE + 16 * 1024

/** How long one request may spend on the wire, by default (ms). */
export const DEFAULT_REQUEST_TIMEOUT = 5_000

/** How many record streams one peer may have open at once, over all its connections, by default. */
export const DEFAULT_MAX_INBOUND_STREAMS_PER_PEER = 64

/** How many requests one peer may send per second, by default. */
export const DEFAULT_MAX_REQUESTS_PER_PEER_PER_SECOND = 1_000

/** How long a peer refused for its open streams is asked to wait before it tries again (ms). */
export const STREAM_LIMIT_RETRY_AFTER = 100

/** Requests the client has on the wire to one peer at once; more wait their turn (half the streams a peer admits by default). */
export const MAX_REQUESTS_IN_FLIGHT_PER_PEER = 32

/**
 * libp2p's per-connection limit on record streams, both ways: above what the
 * per-peer limits admit, so that those answer (with BUSY) before libp2p resets.
 */
export const MAX_STREAMS_PER_CONNECTION = 2 * DEFAULT_MAX_INBOUND_STREAMS_PER_PEER

/** How long, in all, the client waits out BUSY answers for one request before it returns the last one, by default (ms). */
export const MAX_BUSY_PATIENCE = 10_000

/** The shortest BUSY wait (ms): a peer whose window is about to roll over is not asked again at once. */
export const MIN_BUSY_WAIT = 10

/** The longest BUSY wait the client honours (ms); a peer asking for more is treated as failed. */
export const MAX_BUSY_WAIT = 1_000

/** Byte length of a product key: a sha2-256 multihash. */
export const KEY_LENGTH = 34

/** How long an inbound stream may stay open between two requests (ms). */
export const DEFAULT_IDLE_STREAM_TIMEOUT = 60_000

/** How long the client keeps an idle stream for reuse (ms): well inside the server's idle timeout. */
export const CLIENT_IDLE_STREAM_TIMEOUT = 20_000

/** Requests one stream carries before the server closes it (the requester opens another). */
export const MAX_REQUESTS_PER_STREAM = 100_000
