// Every queue, buffer, batch and retry in the node has a named bound, here.
export const KB = 1024;
export const MB = 1024 * KB;
export const GB = 1024 * MB;

/** Bytes of the request ring (main → worker) and of the reply ring (worker → main), per worker. */
export const REQUEST_RING_BYTES = 4 * MB;
export const REPLY_RING_BYTES = 4 * MB;
/** A message larger than this travels by MessagePort with a marker in the ring. */
export const RING_INLINE_MAX_BYTES = 256 * KB;
/** Main's slab for copies of large worker replies (dispatch/reply-slab.ts). */
export const REPLY_SLAB_BYTES = 1 * MB;
/** Full slabs that copies held by slow readers may keep alive at once (the memory they can pin). */
export const REPLY_SLABS_PINNED_MAX = 8;
/**
 * Requests main writes to a worker's ring before it publishes them, within one event-loop turn
 * (the rest are published at the turn's end). A turn reads every client that has sent, often
 * all 50 of redis-benchmark's; publishing a few at a time lets the worker start on them while
 * main reads on. 12 measured +4% on eight redis-benchmark tests (ZADD +9–16%); publishing each
 * request at once cost GET ~15% in wake-ups (native-notes/performance.md, session 16).
 */
export const MAIN_PUBLISH_EVERY_REQUESTS = 12;
/** Commands a worker takes from its ring before committing and replying. */
export const WORKER_BATCH_MAX_COMMANDS = 1024;
/**
 * The same in consistent mode (consensus-level above 0). A batch's replies wait until the
 * follower applied all of its entries, so a smaller batch lets the follower apply one while the
 * leader runs the next, instead of the two nodes taking turns: with each node on its own CPU,
 * -P 16, 53-59k SET/s against 47-53k with 1,024 (native-notes/performance.md, session 15).
 * Unpipelined, batches are smaller than either.
 */
export const CONSENSUS_BATCH_MAX_COMMANDS = 128;
/** Atomics.load polls a worker makes before it sleeps on an empty ring; kept short because
 * this VM often gives the process one core, where spinning starves main (native-notes/atomics.md). */
export const WORKER_SPIN_POLLS = 200;
/** Longest a worker sleeps, so timers (expiry cycle, everysec sync) still run. */
export const WORKER_IDLE_WAIT_MS = 100;
/** Commands main holds for a worker whose ring is full, before it stops reading sockets. */
export const MAIN_OVERFLOW_MAX_COMMANDS = 100_000;
/** Time budget of one active-expiry pass in a worker, and keys it may delete. */
export const EXPIRE_CYCLE_BUDGET_MS = 5;
export const EXPIRE_CYCLE_MAX_KEYS = 2000;
export const EXPIRE_CYCLE_INTERVAL_MS = 100;
/** Expired keys a worker remembers having reported (found by a read) so that reclaiming them
 * does not report them again; past this it forgets them all, at worst reporting one twice. */
export const REPORTED_EXPIRED_MAX = 10_000;
/** Commands a client may have in flight; past this main stops parsing and reading its input.
 * It bounds the replies a pipeline has materialised at once (256 × the largest reply), which
 * is what a slow reader can make the node hold before its output limit is checked. */
export const CLIENT_MAX_INFLIGHT = 256;
/** Inline commands (telnet style) are limited as in Redis. */
export const INLINE_MAX_BYTES = 64 * KB;
/** What a client that must still AUTH may send, as Redis bounds it (a stranger cannot make the node buffer much). */
export const UNAUTHENTICATED_MULTIBULK_MAX = 10;
export const UNAUTHENTICATED_BULK_MAX = 16384;
/**
 * Picks a random-member command (HRANDFIELD, SRANDMEMBER, ZRANDMEMBER) may return for a
 * negative count, repeats allowed. A worker builds the whole reply before main sends it (Redis
 * streams it, with no bound): 2^24 short members are over 100 MB already, and an array of some
 * 113 million picks overruns V8's array length and aborts the process. Past it: out of range.
 */
export const RANDOM_REPEATS_MAX = 2 ** 24;
/** Multibulk argument count limit: INT_MAX, as in Redis 7.0. */
export const MULTIBULK_MAX_ARGS = 2 ** 31 - 1;
/**
 * What main counts per argument framed into a command not yet complete, beyond its bytes,
 * against client-query-buffer-limit: the Buffer view holding it costs some 130 bytes of JS heap
 * (measured with endless `$0` arguments), so a multibulk of them meets that limit instead of
 * growing main's heap.
 */
export const FRAMED_ARG_OVERHEAD_BYTES = 128;
/**
 * Arguments of unfinished commands all clients together may hold in main (about 1.1 GB of JS
 * heap; Node's heap limit is some 4 GB here). Per-client query-buffer limits alone let a few
 * clients exhaust the heap and abort the process; past this, the client growing it is closed.
 */
export const FRAMED_ARGS_NODE_MAX = 8 * 1024 * 1024;
/** A slot environment unused this long is closed; the sweep runs this often. */
export const SLOT_IDLE_CLOSE_MS = 5 * 60 * 1000;
export const SLOT_IDLE_SWEEP_MS = 10 * 1000;
/** Keys a SCAN cursor cache remembers. */
export const SCAN_CURSOR_CACHE_MAX = 10_000;
/** Entries a single KEYS call may return before it answers an error instead. */
export const KEYS_MAX_RESULTS = 10_000_000;
/** Longest key kept verbatim as an LMDB key; longer keys are stored under a digest. */
export const LMDB_MAX_KEY_BYTES = 1978;
export const DIRECT_KEY_MAX_BYTES = 1900;
/** Largest string a SETRANGE/APPEND may build, as Redis's proto-max-bulk-len default. */
export const STRING_MAX_BYTES = 512 * MB;
/** Slow log entries' argument caps, as Redis. */
export const SLOWLOG_ARGS_MAX = 32;
export const SLOWLOG_ARG_BYTES_MAX = 128;
/** Upper bound of a table's slot count (as Redis Cluster's 16384). */
export const SLOTS_PER_TABLE_MAX = 16384;
/** A MULTI's queue: commands and argument bytes it may hold; past either, the command is
 * refused with an error and EXEC aborts (Redis bounds this only through client eviction). */
export const MULTI_QUEUE_MAX_COMMANDS = 1_000_000;
export const MULTI_QUEUE_MAX_BYTES = 512 * MB;
/** Keys one connection may WATCH at once; past this WATCH answers an error. */
export const WATCH_MAX_KEYS = 100_000;
/** Unsent MONITOR output a monitoring client may hold before it is disconnected (Redis leaves
 * monitors unbounded under the default normal-class limit; we do not). */
export const MONITOR_BACKLOG_MAX_BYTES = 64 * MB;
/** Distinct error codes INFO errorstats tracks (Redis's ERROR_STATS_NUMBER). */
export const ERROR_CODES_MAX = 128;
/** Longest CLIENT PAUSE (setTimeout's own limit, about 24.8 days). */
export const PAUSE_MAX_MS = 2 ** 31 - 1;
/** Table ids run from 0 to this (as `databases`'s maximum); requests carry them in 15 bits. */
export const TABLE_ID_MAX = 4095;
/** Failed AUTH attempts logged per minute; past it they are only counted (INFO), so a
 * password-guessing client cannot flood the log. */
export const AUTH_FAILURE_LOGS_PER_MINUTE = 60;
/** Slots one write command may hold write transactions on at once so each slot's data and log
 * commit together; a command spanning more (a DEL of thousands of keys) logs after its writes. */
export const BINLOG_NEST_MAX_SLOTS = 64;
/** Entries one binlog read hands the replication leader per slot (bytes: REPL_READ_BYTES). */
export const BINLOG_READ_MAX_ENTRIES = 4096;
/** Entries a retention pass or PURGELOGSTO deletes per slot in one transaction. */
export const BINLOG_PURGE_MAX_PER_PASS = 10_000;
/** How often a worker applies binlog-retention to its slots. */
export const BINLOG_RETENTION_INTERVAL_MS = 1000;
/** Entries an age retention examines per pass. */
export const BINLOG_AGE_SCAN_MAX = 100_000;
/** Replication: entries a leader may have sent a follower for one slot and not yet had acknowledged. */
export const REPL_WINDOW_ENTRIES = 50_000;
/** Unsent bytes on a replication socket past which the leader stops reading more of the log. */
export const REPL_SOCKET_MAX_BYTES = 32 * MB;
/** `sync : everysec`: fsyncs main runs at once on libuv's pool, and how often a failing one is logged. */
export const BACKGROUND_SYNC_CONCURRENCY = 2;
export const BACKGROUND_SYNC_ERROR_LOG_MS = 10_000;
/**
 * Consistent mode: how long a reply waits for consensus-level acknowledgements before it answers
 * a timeout error instead, and how often held replies look at the clock.
 */
export const CONSENSUS_WAIT_MS = 3000;
export const CONSENSUS_CHECK_MS = 50;
/** Consistent mode: replies waiting for acknowledgements (in flight or held) past which main stops reading clients. */
export const CONSENSUS_HELD_MAX = 65_536;
/** Per slot, the recent (index, time) appends a leader keeps to tell a follower's lag in ms. */
export const REPL_LAG_SAMPLES = 64;
/** Bytes a leader reads from the log per slot per read. */
export const REPL_READ_BYTES = 1 * MB;
/** Entry bytes a worker hands main with a batch's appends while followers stream (past it, main reads the log). */
export const REPL_PUSH_MAX_BYTES = 1 * MB;
/**
 * How long a leader gathers entries for a follower before it sends them, in asynchronous mode
 * (in consistent mode, where writes wait on acks, they go at once): one write instead of one per
 * event-loop turn, and a follower applies each slot's share in one LMDB transaction. It cut a
 * follower's CPU per SET by half unpipelined (native-notes/performance.md).
 */
export const REPL_SEND_BATCH_MS = 10;
/** Bytes gathered that make a leader send at once, whatever the time. */
export const REPL_SEND_BATCH_MAX_BYTES = 1 * MB;
/** Heartbeats both ways, and the silence after which a link is dropped (a follower reconnects). */
export const REPL_HEARTBEAT_MS = 1000;
export const REPL_TIMEOUT_MS = 10_000;
/** A follower's reconnect backoff: first delay, doubling up to the maximum. */
export const REPL_BACKOFF_MIN_MS = 100;
export const REPL_BACKOFF_MAX_MS = 5000;
/** Full-sync snapshot file chunk, and how often progress is logged. */
export const REPL_SNAPSHOT_CHUNK_BYTES = 1 * MB;
export const REPL_SNAPSHOT_LOG_BYTES = 64 * MB;
/** Largest frame argument a replication link accepts (a binlog entry or a snapshot chunk). */
export const REPL_FRAME_MAX_BYTES = 600 * MB;
/** Rank trees (src/storage/counted-btree.ts) of sorted sets and large sets: entries per node,
 * and the record size past which a node splits early, so long members keep nodes near one LMDB page. */
export const ZSET_TREE_FANOUT = 64;
export const ZSET_TREE_NODE_BYTES = 4 * KB;
/**
 * Rank-tree nodes one write transaction holds in memory per tree, and trees it holds
 * (storage/counted-btree.ts TreeCache); past either, the changed ones are written at once.
 * At most 64 × 256 nodes of up to ZSET_TREE_NODE_BYTES: 64 MiB, in practice a few root-to-leaf paths.
 */
export const TREE_CACHE_MAX_NODES = 256;
export const TREE_CACHE_MAX_TREES = 64;
/**
 * Sets (types/set.ts): random picks (SPOP, SRANDMEMBER) from a set of at most SET_READ_ALL_MAX
 * members read them all; from a larger one they go through its rank tree, built by the first
 * such pick. The tree is dropped once the set shrinks to SET_RANK_TREE_DROP_MAX, well below the
 * build threshold, so a set hovering around it is not rebuilt on every pick. A build reads the
 * member keys SET_RANK_TREE_BUILD_BATCH at a time.
 */
export const SET_READ_ALL_MAX = 1000;
export const SET_RANK_TREE_DROP_MAX = 500;
export const SET_RANK_TREE_BUILD_BATCH = 4096;
/**
 * Dropped collections (DEL, overwrite, expiry) with at most this many member records lose them
 * inline; larger ones are queued and reclaimed in the background (storage/reclaim.ts), so the
 * command stays O(1). ~1 µs per record here (native-notes/storage-layout.md).
 */
export const RECLAIM_INLINE_MAX_RECORDS = 512;
/**
 * Lists (types/list.ts) keep their elements in chunk records: the element at absolute index i
 * lives in chunk floor(i / LIST_CHUNK_ELEMENTS), so LINDEX/LSET read one record and LRANGE of n
 * elements about n / LIST_CHUNK_ELEMENTS + 1.
 */
export const LIST_CHUNK_ELEMENTS = 16;
/**
 * Longest list element kept inside its chunk; longer ones get a record of their own, which the
 * chunk references. With 16 entries of at most 2 + 112 bytes a chunk stays under
 * LIST_CHUNK_MAX_BYTES (1,825), within one LMDB leaf page (a value over ~2,000 bytes moves to
 * overflow pages, rewritten whole on every push), whatever the elements' sizes.
 */
export const LIST_INLINE_MAX_BYTES = 112;
/** A chunk's largest value: its leading byte, then per entry a varint length (2 bytes here) and the element. */
export const LIST_CHUNK_MAX_BYTES = 1 + LIST_CHUNK_ELEMENTS * (2 + LIST_INLINE_MAX_BYTES);
/**
 * Member records one background reclaim pass deletes, and the time it may take: a command that
 * arrives meanwhile waits for the pass to end.
 */
export const RECLAIM_PASS_MAX_RECORDS = 1024;
export const RECLAIM_PASS_BUDGET_MS = 2;
/** Records reclaim deletes between looks at the clock. */
export const RECLAIM_CHUNK_RECORDS = 128;
/** An idle worker with garbage queued sleeps this long between passes (unless a command comes). */
export const RECLAIM_IDLE_REST_MS = 1;
/** While commands keep a worker busy, it runs one reclaim pass between batches this often. */
export const RECLAIM_BUSY_INTERVAL_MS = 100;
/** Reclaims of at least this many records are logged; progress is logged this often. */
export const RECLAIM_LOG_MIN_RECORDS = 100_000;
export const RECLAIM_LOG_INTERVAL_MS = 10_000;
/** Commands a client sends while parked on a blocking command, held in order; past this main
 * keeps its bytes unframed, under client-query-buffer-limit, and still reads the socket so a
 * disconnect is seen. (Parked clients themselves are bounded by maxclients: one each.) */
export const BLOCKED_HELD_COMMANDS_MAX = 10_000;
/** Longest single timer of a blocking command's timeout; a longer one re-arms (setTimeout's limit). */
export const TIMER_MAX_MS = 2 ** 31 - 1;
