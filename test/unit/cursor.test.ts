// The trigger's cursor (lib/cursor.ts): each rule on its own, then a simulation of concurrent writers committing out
// of id order, polled throughout, where every committed row must be emitted exactly once.
import {
	DEFAULT_LIMITS,
	addSnapshot,
	isHandled,
	mergeStreams,
	pollStep,
	readyWatermark,
	settleCursor,
	startCursor,
	type CursorLimits,
	type IdCursor,
	type IdSnapshot,
	type StreamRead,
} from '../../lib/cursor';
import { parseTriggerState, pruneCandidates, SESSION_CANDIDATE_TTL_MS, stateKey, type TriggerState } from '../../lib/triggerState';

const limits: CursorLimits = { lateCommitMs: 1000, maxSeen: 100, maxSnapshots: 4 };
const id = (row: number) => row;
const all = () => true;

describe('isHandled', () => {
	it('treats ids up to the watermark and the seen ids as handled, nothing else', () => {
		const cursor: IdCursor = { after: 10, seen: [12, 15, 20] };
		expect([9, 10, 11, 12, 13, 15, 19, 20, 21].map((value) => isHandled(cursor, value))).toEqual([
			true,
			true,
			false,
			true,
			false,
			true,
			false,
			true,
			false,
		]);
	});
});

describe('snapshots', () => {
	it('adds only snapshots with a higher id, replacing the newest when full', () => {
		let snapshots: IdSnapshot[] = [];
		snapshots = addSnapshot(snapshots, { id: 5, at: 100 }, limits);
		snapshots = addSnapshot(snapshots, { id: 5, at: 200 }, limits);
		expect(snapshots).toEqual([{ id: 5, at: 100 }]);
		for (const [index, value] of [6, 7, 8, 9].entries()) {
			snapshots = addSnapshot(snapshots, { id: value, at: 300 + index }, limits);
		}
		expect(snapshots).toEqual([
			{ id: 5, at: 100 },
			{ id: 6, at: 300 },
			{ id: 7, at: 301 },
			{ id: 9, at: 303 },
		]);
	});

	it('is ready once the late-commit window has passed since the snapshot, and keeps the ready one', () => {
		const snapshots = [
			{ id: 5, at: 0 },
			{ id: 8, at: 500 },
			{ id: 9, at: 1500 },
		];
		expect(readyWatermark(snapshots, 999, limits)).toEqual({ ready: null, snapshots });
		expect(readyWatermark(snapshots, 1500, limits)).toEqual({
			ready: 8,
			snapshots: [
				{ id: 8, at: 500 },
				{ id: 9, at: 1500 },
			],
		});
	});
});

describe('mergeStreams', () => {
	const read = (rows: number[], truncated = false): StreamRead<number> => ({ rows, truncated });

	it('emits across streams in id order, at most maxEmit, and leaves the rest for the next poll', () => {
		const outcome = mergeStreams([read([3, 7, 9]), read([4, 5, 10])], id, all, 4);
		expect(outcome.emit).toEqual([3, 4, 5, 7]);
		expect(outcome.handled).toEqual([[3, 7], [4, 5]]);
		expect(outcome.frontier).toEqual([8, 9]);
		expect(outcome.more).toBe(true);
	});

	it('handles filtered-out rows without emitting them, and a stream read to its end has no frontier', () => {
		const outcome = mergeStreams([read([1, 2, 3, 4])], id, (row) => row % 2 === 0, 10);
		expect(outcome.emit).toEqual([2, 4]);
		expect(outcome.handled).toEqual([[1, 2, 3, 4]]);
		expect(outcome.frontier).toEqual([Infinity]);
		expect(outcome.more).toBe(false);
	});

	it('stops at the last row of a truncated stream so other streams do not jump ahead of its unread rows', () => {
		const outcome = mergeStreams([read([1, 2], true), read([3, 4])], id, all, 10);
		expect(outcome.emit).toEqual([1, 2]);
		expect(outcome.frontier).toEqual([2, 2]);
		expect(outcome.more).toBe(true);
	});
});

describe('settleCursor', () => {
	it('keeps the watermark until a snapshot is ready, remembering what was handled above it', () => {
		const { cursor } = settleCursor(startCursor(10), { handled: [12, 11], frontier: Infinity, ready: null }, limits);
		expect(cursor).toEqual({ after: 10, seen: [11, 12] });
	});

	it('moves the watermark to the ready snapshot and forgets the ids below it', () => {
		const { cursor } = settleCursor({ after: 10, seen: [11, 12, 20] }, { handled: [21], frontier: Infinity, ready: 15 }, limits);
		expect(cursor).toEqual({ after: 15, seen: [20, 21] });
	});

	it('never moves the watermark past a row left unhandled', () => {
		const { cursor } = settleCursor({ after: 10, seen: [] }, { handled: [11], frontier: 12, ready: 50 }, limits);
		expect(cursor).toEqual({ after: 12, seen: [] });
	});

	it('forces the watermark up when seen exceeds maxSeen, and says so', () => {
		const handled = Array.from({ length: 105 }, (_, index) => 11 + index);
		const { cursor, overflow } = settleCursor(startCursor(10), { handled, frontier: Infinity, ready: null }, limits);
		expect(overflow).toBe(true);
		expect(cursor.seen).toHaveLength(100);
		expect(cursor.after).toBe(15);
		expect(cursor.seen[0]).toBe(16);
	});
});

describe('pollStep: a lower id committing after a higher one was seen', () => {
	it('emits the late row once, when it appears, and never again', () => {
		// Poll 1 at t=0: link 42 is visible, 41 is still in an open transaction.
		let cursors = [startCursor(40)];
		let snapshots: IdSnapshot[] = [];
		const step1 = pollStep({
			cursors,
			reads: [{ rows: [42], truncated: false }],
			snapshots,
			snapshot: { id: 42, at: 0 },
			startedAt: 0,
			idOf: id,
			accept: all,
			maxEmit: 10,
			limits,
		});
		expect(step1.emit).toEqual([42]);
		expect(step1.cursors).toEqual([{ after: 40, seen: [42] }]);
		cursors = step1.cursors;
		snapshots = step1.snapshots;

		// Poll 2 at t=500: 41 committed; the read above the watermark returns 41 and 42, 42 is skipped as seen.
		const read2 = [41, 42].filter((value) => !isHandled(cursors[0], value));
		const step2 = pollStep({
			cursors,
			reads: [{ rows: read2, truncated: false }],
			snapshots,
			snapshot: { id: 42, at: 500 },
			startedAt: 500,
			idOf: id,
			accept: all,
			maxEmit: 10,
			limits,
		});
		expect(step2.emit).toEqual([41]);
		cursors = step2.cursors;
		snapshots = step2.snapshots;

		// Poll 3 after the window: the watermark passes 42 and `seen` empties.
		const step3 = pollStep({
			cursors,
			reads: [{ rows: [], truncated: false }],
			snapshots,
			snapshot: { id: 42, at: 1100 },
			startedAt: 1100,
			idOf: id,
			accept: all,
			maxEmit: 10,
			limits,
		});
		expect(step3.emit).toEqual([]);
		expect(step3.cursors).toEqual([{ after: 42, seen: [] }]);
	});
});

// ---- Simulation --------------------------------------------------------------------------------------------------

function mulberry32(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let value = state;
		value = Math.imul(value ^ (value >>> 15), value | 1);
		value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
		return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
	};
}

interface SimRow {
	id: number;
	stream: number;
	committedAt: number;
	rolledBack: boolean;
}

/**
 * Writers allocate ids in time order and commit after a random delay (some roll back); a poller reads, every
 * `pollEvery` ms, what is visible at that moment, with small read and emit limits so backlogs carry over.
 */
function simulate(seed: number, options: { maxDelay: number; streams: number; watched: number[]; accept?: (row: SimRow) => boolean }) {
	const random = mulberry32(seed);
	const simLimits: CursorLimits = { lateCommitMs: 1000, maxSeen: 10_000, maxSnapshots: 8 };
	const rows: SimRow[] = [];
	let time = 0;
	for (let next = 1; next <= 600; next++) {
		time += Math.floor(random() * 20);
		rows.push({
			id: next,
			stream: Math.floor(random() * options.streams),
			committedAt: time + Math.floor(random() * options.maxDelay),
			rolledBack: random() < 0.05,
		});
	}
	const end = Math.max(...rows.map((row) => row.committedAt)) + 3 * simLimits.lateCommitMs;
	const accept = options.accept ?? (() => true);
	let cursors = options.watched.map(() => startCursor(0));
	let snapshots: IdSnapshot[] = [];
	const emitted: number[] = [];
	for (let now = 0; now <= end; now += 37 + Math.floor(random() * 60)) {
		const visible = rows.filter((row) => !row.rolledBack && row.committedAt <= now);
		const reads = options.watched.map((stream, index): StreamRead<SimRow> => {
			const unhandled = visible
				.filter((row) => row.stream === stream && !isHandled(cursors[index], row.id))
				.sort((a, b) => a.id - b.id);
			return { rows: unhandled.slice(0, 7), truncated: unhandled.length > 7 };
		});
		const maxVisible = visible.reduce((max, row) => Math.max(max, row.id), 0);
		const step = pollStep({
			cursors,
			reads,
			snapshots,
			snapshot: maxVisible > 0 ? { id: maxVisible, at: now } : null,
			startedAt: now,
			idOf: (row) => row.id,
			accept,
			maxEmit: 5,
			limits: simLimits,
		});
		emitted.push(...step.emit.map((row) => row.id));
		cursors = step.cursors;
		snapshots = step.snapshots;
	}
	const expected = rows
		.filter((row) => !row.rolledBack && options.watched.includes(row.stream) && accept(row))
		.map((row) => row.id);
	return { emitted, expected, cursors };
}

describe('pollStep simulation: out-of-order commits within the late-commit window', () => {
	it.each([1, 2, 3, 4, 5, 6, 7, 8])('emits every committed row of the watched streams exactly once (seed %i)', (seed) => {
		const { emitted, expected } = simulate(seed, { maxDelay: 999, streams: 3, watched: [0, 2] });
		expect(new Set(emitted).size).toBe(emitted.length);
		expect([...emitted].sort((a, b) => a - b)).toEqual([...expected].sort((a, b) => a - b));
	});

	it('applies a filter without losing or repeating rows', () => {
		const { emitted, expected } = simulate(42, {
			maxDelay: 999,
			streams: 2,
			watched: [0, 1],
			accept: (row) => row.id % 3 === 0,
		});
		expect(emitted.every((value) => value % 3 === 0)).toBe(true);
		expect([...emitted].sort((a, b) => a - b)).toEqual(expected);
	});

	it('skips rows when a transaction outlives the window (the documented limit), proving the test can fail', () => {
		const misses = [1, 2, 3, 4].map((seed) => {
			const { emitted, expected } = simulate(seed, { maxDelay: 5000, streams: 1, watched: [0] });
			return expected.length - new Set(emitted).size;
		});
		expect(misses.some((missed) => missed > 0)).toBe(true);
	});

	it('ends with the watermark at the top and nothing remembered', () => {
		const { cursors } = simulate(9, { maxDelay: 999, streams: 1, watched: [0] });
		expect(cursors[0].seen).toEqual([]);
		expect(cursors[0].after).toBeGreaterThan(550);
	});
});

describe('static data', () => {
	const key = stateKey('newAnnotation', ['b', 'a']);
	const state: TriggerState = {
		version: 1,
		key,
		startedAt: 1,
		linkSnapshots: [{ id: 3, at: 2 }],
		streams: [{ dataset: 'a', datasetId: 1, cursor: { after: 2, seen: [4] } }],
		datasetCursor: { after: 0, seen: [] },
		datasetSnapshots: [],
		candidates: [{ id: 9, name: '2024-01-01_10-00-00', seenAt: 5 }],
		milestones: { a: { count: 3, reached: 0 } },
		stalls: { a: { lastActivityAt: 4, stalled: false, count: null } },
	};

	it('keys on the event and the set of datasets, not their order', () => {
		expect(stateKey('newAnnotation', ['a', 'b', 'a'])).toBe(key);
		expect(stateKey('milestone', ['a', 'b'])).not.toBe(key);
	});

	it('reads back what was stored (through JSON, as n8n stores it)', () => {
		expect(parseTriggerState(JSON.parse(JSON.stringify(state)), key)).toEqual(state);
	});

	it('starts over (null) for another key, another version or malformed data', () => {
		expect(parseTriggerState(state, stateKey('newAnnotation', ['a']))).toBeNull();
		expect(parseTriggerState({ ...state, version: 2 }, key)).toBeNull();
		expect(parseTriggerState({ ...state, streams: [{ dataset: 'a', datasetId: 1, cursor: { after: 'x', seen: [] } }] }, key)).toBeNull();
		expect(parseTriggerState(undefined, key)).toBeNull();
	});

	it('drops seen ids at or below the watermark when reading', () => {
		const stored = { ...state, streams: [{ dataset: 'a', datasetId: 1, cursor: { after: 5, seen: [7, 3, 7, 6] } }] };
		expect(parseTriggerState(stored, key)?.streams[0].cursor).toEqual({ after: 5, seen: [6, 7] });
	});

	it('expires session candidates after the TTL', () => {
		const candidates = [
			{ id: 1, name: 'old', seenAt: 0 },
			{ id: 2, name: 'new', seenAt: 10 },
		];
		expect(pruneCandidates(candidates, SESSION_CANDIDATE_TTL_MS + 5).map((candidate) => candidate.name)).toEqual(['new']);
	});

	it('has defaults a user can reason about', () => {
		expect(DEFAULT_LIMITS.lateCommitMs).toBe(300_000);
	});
});
