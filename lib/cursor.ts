// The Prodigy Dataset Trigger's cursor: pure logic over id-ordered, append-only rows (link ids of a dataset,
// dataset ids).
// No n8n, no I/O: the trigger reads, this module decides what is new, what to emit and what to remember.
//
// Why not "highest id seen": PostgreSQL and MySQL assign an id at INSERT and make the row visible at COMMIT. Writer A
// inserts link 41 and commits late, writer B inserts link 42 and commits at once; a poll in between sees 42, and a
// cursor at 42 would skip 41 forever.
//
// The cursor is a watermark `after` (every id ≤ after is done) plus `seen`, the ids above it already handled. A poll
// re-reads everything above the watermark, skips what is seen, handles the rest. The watermark moves to an id M only
// once no open transaction can still commit an id ≤ M: each poll records a snapshot (M = highest visible id, at = the
// time the query returned); the snapshot becomes ready when at + lateCommitMs ≤ now. An id ≤ M that was not visible
// at `at` was allocated before M (sequences and AUTO_INCREMENT allocate in increasing order), by a transaction open
// at `at`; if no write transaction stays open longer than lateCommitMs, it has committed (and been read) or rolled
// back by then. Nothing else bounds it: a transaction open longer than the window can commit ids the watermark has
// already passed, and those are skipped (the window is a trigger option; docs/prodigy-dataset-trigger.md says so).
//
// Bounds: `seen` holds the ids handled within roughly one late-commit window plus one poll interval (what a poll
// re-reads). If it ever exceeds `maxSeen` (more rows than that in one window), the watermark is forced up to keep the
// newest `maxSeen` ids: the cost and the static data stay bounded, and the price is that a commit arriving later with
// an id below the forced watermark is skipped. `settleCursor` reports it (`overflow`) so the node can log it.
// Snapshots are kept to `maxSnapshots`; when full the newest is replaced, which only delays the watermark.

/** A cursor over one id sequence. */
export interface IdCursor {
	/** Every id ≤ after has been handled, or predates the trigger. */
	after: number;
	/** Handled ids above `after`, ascending, no duplicates. */
	seen: number[];
}

/** The highest id visible at a moment (`at`, epoch ms, measured after the query returned). */
export interface IdSnapshot {
	id: number;
	at: number;
}

export interface CursorLimits {
	/** Longest time a write transaction may stay open between allocating an id and committing it. */
	lateCommitMs: number;
	/** Most ids remembered above the watermark (see the bound above). */
	maxSeen: number;
	/** Most pending snapshots. */
	maxSnapshots: number;
}

export const DEFAULT_LIMITS: CursorLimits = { lateCommitMs: 5 * 60_000, maxSeen: 10_000, maxSnapshots: 32 };

export function startCursor(after: number): IdCursor {
	return { after, seen: [] };
}

function indexOfSorted(sorted: readonly number[], id: number): number {
	let low = 0;
	let high = sorted.length - 1;
	while (low <= high) {
		const middle = (low + high) >> 1;
		if (sorted[middle] === id) return middle;
		if (sorted[middle] < id) low = middle + 1;
		else high = middle - 1;
	}
	return -1;
}

/** True when the row with this id was handled already (skip it when re-reading above the watermark). */
export function isHandled(cursor: IdCursor, id: number): boolean {
	return id <= cursor.after || indexOfSorted(cursor.seen, id) >= 0;
}

/** Adds a snapshot when it says something new (a higher id); when the list is full the newest is replaced. */
export function addSnapshot(snapshots: readonly IdSnapshot[], snapshot: IdSnapshot, limits: CursorLimits): IdSnapshot[] {
	const highest = snapshots.reduce((max, entry) => Math.max(max, entry.id), -Infinity);
	if (snapshot.id <= highest) return [...snapshots];
	const next = [...snapshots];
	if (next.length >= Math.max(1, limits.maxSnapshots)) next.pop();
	next.push({ id: snapshot.id, at: snapshot.at });
	return next;
}

/**
 * The highest id no open transaction can still commit below (null when no snapshot is old enough), and the
 * snapshots to keep: the ready one (streams whose backlog held them back apply it later) and those not ready yet.
 */
export function readyWatermark(
	snapshots: readonly IdSnapshot[],
	now: number,
	limits: CursorLimits,
): { ready: number | null; snapshots: IdSnapshot[] } {
	let ready: IdSnapshot | null = null;
	const pending: IdSnapshot[] = [];
	for (const snapshot of snapshots) {
		if (snapshot.at + limits.lateCommitMs <= now) {
			if (ready === null || snapshot.id > ready.id) ready = snapshot;
		} else {
			pending.push(snapshot);
		}
	}
	if (ready === null) return { ready: null, snapshots: pending };
	const readyId = ready.id;
	return { ready: readyId, snapshots: [ready, ...pending.filter((snapshot) => snapshot.id > readyId)] };
}

/** What one stream's read returned: unhandled rows above the watermark, ascending. */
export interface StreamRead<R> {
	rows: R[];
	/** The read stopped at its limit: rows after the last one were not read. */
	truncated: boolean;
}

export interface MergeOutcome<R> {
	/** Rows to emit, ascending id across all streams. */
	emit: R[];
	/** Per stream, the rows handled this poll (emitted or filtered out), ascending. */
	handled: R[][];
	/**
	 * Per stream, the id below which everything read was handled: every unhandled row has a higher id.
	 * Infinity when the stream was read to its end and all of it was handled.
	 */
	frontier: number[];
	/** Rows are left for the next poll (limit reached or a read truncated). */
	more: boolean;
}

/**
 * Merges the streams' reads in id order and takes at most `maxEmit` accepted rows; rows `accept` rejects are
 * handled without being emitted. A truncated stream stops the merge at its last row read, so rows of other streams
 * are not emitted ahead of its unread ones (the next poll continues in order).
 */
export function mergeStreams<R>(
	reads: ReadonlyArray<StreamRead<R>>,
	idOf: (row: R) => number,
	accept: (row: R) => boolean,
	maxEmit: number,
): MergeOutcome<R> {
	let horizon = Infinity;
	for (const read of reads) {
		if (read.truncated && read.rows.length > 0) horizon = Math.min(horizon, idOf(read.rows[read.rows.length - 1]));
	}
	const all = reads.flatMap((read, stream) => read.rows.map((row) => ({ row, stream, id: idOf(row) })));
	all.sort((a, b) => a.id - b.id);

	const emit: R[] = [];
	const handled: R[][] = reads.map(() => []);
	const firstLeft: Array<number | null> = reads.map(() => null);
	let full = false;
	for (const entry of all) {
		if (firstLeft[entry.stream] !== null) continue;
		const accepted = accept(entry.row);
		if (entry.id > horizon || (accepted && full)) {
			firstLeft[entry.stream] = entry.id;
			continue;
		}
		if (accepted) {
			emit.push(entry.row);
			full = emit.length >= maxEmit;
		}
		handled[entry.stream].push(entry.row);
	}
	const frontier = reads.map((read, stream) => {
		const left = firstLeft[stream];
		if (left !== null) return left - 1;
		return read.truncated && read.rows.length > 0 ? idOf(read.rows[read.rows.length - 1]) : Infinity;
	});
	const more = reads.some((read, stream) => read.truncated || firstLeft[stream] !== null);
	return { emit, handled, frontier, more };
}

/**
 * The cursor after a poll: handled ids join `seen`; the watermark moves to the ready snapshot, but never past an
 * unhandled row read this poll (`frontier`); `seen` keeps only ids above the watermark, bounded by `maxSeen`.
 */
export function settleCursor(
	cursor: IdCursor,
	update: { handled: readonly number[]; frontier: number; ready: number | null },
	limits: CursorLimits,
): { cursor: IdCursor; overflow: boolean } {
	let after = cursor.after;
	if (update.ready !== null) after = Math.max(after, Math.min(update.ready, update.frontier));
	const ids = new Set<number>();
	for (const id of cursor.seen) if (id > after) ids.add(id);
	for (const id of update.handled) if (id > after) ids.add(id);
	let seen = [...ids].sort((a, b) => a - b);
	let overflow = false;
	if (seen.length > limits.maxSeen) {
		const forced = Math.min(seen[seen.length - limits.maxSeen - 1], update.frontier);
		if (forced > after) {
			after = forced;
			seen = seen.filter((id) => id > after);
			overflow = true;
		}
	}
	return { cursor: { after, seen }, overflow };
}

/** One poll over several streams sharing one id sequence: what to emit and the cursors and snapshots after it. */
export interface PollStep<R> {
	emit: R[];
	/** Per stream, the rows handled this poll (emitted or filtered out), in id order. */
	handled: R[][];
	cursors: IdCursor[];
	snapshots: IdSnapshot[];
	/** Rows are left for the next poll. */
	more: boolean;
	/** A stream's `seen` hit maxSeen and its watermark was forced up (see the bound at the top). */
	overflow: boolean;
}

export interface PollStepInput<R> {
	cursors: readonly IdCursor[];
	/** Per stream, what was read above its watermark, handled rows already skipped (see isHandled). */
	reads: ReadonlyArray<StreamRead<R>>;
	snapshots: readonly IdSnapshot[];
	/** The highest id visible in this poll, timed after its query returned; null when not measured. */
	snapshot: IdSnapshot | null;
	/** When the poll started, before any read: readiness is judged against it, so a ready snapshot's ids were all
	 * committed before this poll's reads began. */
	startedAt: number;
	idOf: (row: R) => number;
	accept: (row: R) => boolean;
	maxEmit: number;
	limits: CursorLimits;
}

export function pollStep<R>(input: PollStepInput<R>): PollStep<R> {
	const { ready, snapshots } = readyWatermark(input.snapshots, input.startedAt, input.limits);
	const merged = mergeStreams(input.reads, input.idOf, input.accept, input.maxEmit);
	let overflow = false;
	const cursors = input.cursors.map((cursor, stream) => {
		const settled = settleCursor(
			cursor,
			{ handled: merged.handled[stream].map(input.idOf), frontier: merged.frontier[stream], ready },
			input.limits,
		);
		overflow ||= settled.overflow;
		return settled.cursor;
	});
	return {
		emit: merged.emit,
		handled: merged.handled,
		cursors,
		snapshots: input.snapshot === null ? snapshots : addSnapshot(snapshots, input.snapshot, input.limits),
		more: merged.more,
		overflow,
	};
}
