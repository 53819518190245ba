// The trigger's reads. Every poll reads only past its cursor, through the link table's primary key and its
// link_dataset_id index (store.getExamples keyset-reads on link.id), so its cost follows what is new (plus the
// late-commit window it re-reads), never the size of the dataset. The decisions are lib/cursor.ts's.
import {
	isHandled,
	pollStep,
	startCursor,
	type CursorLimits,
	type IdCursor,
	type StreamRead,
} from '../../lib/cursor';
import { ProdigyInputError } from '../../lib/errors';
import type { LinkStream, TriggerState } from '../../lib/triggerState';
import type { DatasetInfo, ExampleRecord, ProdigyStore } from '../../lib/store/types';

/** A watched dataset is gone: the trigger says so on every poll instead of silently watching nothing. */
export class WatchedDatasetMissingError extends ProdigyInputError {
	constructor(dataset: string, atStart: boolean) {
		super(atStart ? `Dataset "${dataset}" does not exist` : `Watched dataset "${dataset}" no longer exists`, {
			hint: atStart
				? 'Check the name (it is case-sensitive) or create the dataset first.'
				: 'It was dropped (prodigy drop) or renamed. Pick an existing dataset: the trigger then starts again from now.',
		});
	}
}

/** Looks up every watched dataset; a missing one is an error, never a skip. */
export async function requireDatasets(store: ProdigyStore, names: readonly string[], atStart: boolean): Promise<DatasetInfo[]> {
	const found: DatasetInfo[] = [];
	for (const name of names) {
		const dataset = await store.getDataset(name);
		if (!dataset) throw new WatchedDatasetMissingError(name, atStart);
		found.push(dataset);
	}
	return found;
}

/**
 * Reads a dataset's rows above the cursor's watermark, skipping those already handled, until `maxUnhandled`
 * unhandled rows are collected (truncated) or the dataset ends. At most `seen.length` handled rows are re-read.
 */
export async function readAbove(
	store: ProdigyStore,
	dataset: string,
	cursor: IdCursor,
	maxUnhandled: number,
): Promise<StreamRead<ExampleRecord>> {
	const rows: ExampleRecord[] = [];
	const records = store.getExamples(dataset, { afterLinkId: cursor.after, limit: cursor.seen.length + maxUnhandled });
	for await (const record of records) {
		if (isHandled(cursor, record.linkId)) continue;
		rows.push(record);
		if (rows.length >= maxUnhandled) return { rows, truncated: true };
	}
	return { rows, truncated: false };
}

/**
 * The newest `want` rows of a dataset accepted by `accept`, oldest first, at or below link id `top`: windows of link
 * ids walked backwards, doubling, so a sparse dataset in a big database needs few queries. Stops after `maxScan`
 * rows read; a window cut short is discarded (its newest rows were not read), so what it returns is always the true
 * newest (possibly fewer than `want`).
 */
export async function readTail(
	store: ProdigyStore,
	dataset: string,
	want: number,
	accept: (record: ExampleRecord) => boolean,
	options: { top: number; maxScan: number },
): Promise<ExampleRecord[]> {
	let found: ExampleRecord[] = [];
	let high = options.top;
	let span = Math.max(64, want * 2);
	let scanned = 0;
	while (high > 0 && found.length < want) {
		const low = Math.max(0, high - span);
		const window: ExampleRecord[] = [];
		for await (const record of store.getExamples(dataset, { afterLinkId: low, upToLinkId: high })) {
			if (++scanned > options.maxScan) return found;
			if (!accept(record)) continue;
			window.push(record);
			if (window.length > want) window.shift();
		}
		found = [...window, ...found].slice(-want);
		high = low;
		span *= 2;
	}
	return found;
}

/** The link streams of the watched datasets, starting at `after` (or `afterByDataset`). */
export function startStreams(datasets: readonly DatasetInfo[], after: number, afterByDataset: Record<string, number> = {}): LinkStream[] {
	return datasets.map((dataset) => ({
		dataset: dataset.name,
		datasetId: dataset.id,
		cursor: startCursor(afterByDataset[dataset.name] ?? after),
	}));
}

export interface LinkPoll {
	emit: ExampleRecord[];
	/** Per watched dataset (by name), the rows handled this poll in link-id order. */
	handled: Map<string, ExampleRecord[]>;
	/** Datasets dropped and created again since the last poll: their streams restarted at their first link. */
	recreated: string[];
	state: TriggerState;
	more: boolean;
	overflow: boolean;
}

/**
 * One poll of the watched datasets' link streams. A dataset dropped since the last poll is an error; one dropped
 * and created again (another id) is new, so all of its links are new: its stream restarts at 0.
 */
export async function pollLinks(
	store: ProdigyStore,
	state: TriggerState,
	options: {
		startedAt: number;
		accept: (record: ExampleRecord) => boolean;
		maxEmit: number;
		scanLimit: number;
		limits: CursorLimits;
	},
): Promise<LinkPoll> {
	const datasets = await requireDatasets(
		store,
		state.streams.map((stream) => stream.dataset),
		false,
	);
	const recreated: string[] = [];
	const streams = state.streams.map((stream, index): LinkStream => {
		if (datasets[index].id === stream.datasetId) return stream;
		recreated.push(stream.dataset);
		return { dataset: stream.dataset, datasetId: datasets[index].id, cursor: startCursor(0) };
	});
	const reads: Array<StreamRead<ExampleRecord>> = [];
	for (const stream of streams) reads.push(await readAbove(store, stream.dataset, stream.cursor, options.scanLimit));
	// Timed after the query returns: the snapshot's moment must not be earlier than the id it reports.
	const maxId = await store.maxLinkId();
	const snapshot = { id: maxId, at: Date.now() };
	const step = pollStep({
		cursors: streams.map((stream) => stream.cursor),
		reads,
		snapshots: state.linkSnapshots,
		snapshot,
		startedAt: options.startedAt,
		idOf: (record) => record.linkId,
		accept: options.accept,
		maxEmit: options.maxEmit,
		limits: options.limits,
	});
	const handled = new Map(streams.map((stream, index) => [stream.dataset, step.handled[index]] as const));
	return {
		emit: step.emit,
		handled,
		recreated,
		state: {
			...state,
			linkSnapshots: step.snapshots,
			streams: streams.map((stream, index) => ({ ...stream, cursor: step.cursors[index] })),
		},
		more: step.more,
		overflow: step.overflow,
	};
}

/** Links a counting poll reads per dataset; a bigger backlog is counted over the next polls, in order. */
const COUNT_SCAN_LIMIT = 5000;

/**
 * A poll that emits no link and hands every new one to the event, which counts them (Milestone, Stalled).
 */
export function countNewLinks(store: ProdigyStore, state: TriggerState, options: { startedAt: number; limits: CursorLimits }): Promise<LinkPoll> {
	return pollLinks(store, state, { ...options, accept: () => false, maxEmit: 0, scanLimit: COUNT_SCAN_LIMIT });
}

/** Highest dataset id in the database (0 when none), for the dataset-id cursor's start. */
export async function maxDatasetId(store: ProdigyStore): Promise<number> {
	const all = await store.listDatasets({ includeSessions: true });
	return all.reduce((max, dataset) => Math.max(max, dataset.id), 0);
}

/**
 * New dataset rows (sessions included) above the dataset-id cursor, handled ones skipped, and a snapshot of the
 * highest visible dataset id (null when nothing is above the watermark: nothing new to say).
 */
async function readNewDatasets(
	store: ProdigyStore,
	cursor: IdCursor,
): Promise<{ read: StreamRead<DatasetInfo>; snapshot: { id: number; at: number } | null }> {
	const above = await store.listDatasets({ includeSessions: true, afterId: cursor.after });
	const at = Date.now();
	const rows = above.filter((dataset) => !isHandled(cursor, dataset.id)).sort((a, b) => a.id - b.id);
	const highest = above.reduce((max, dataset) => Math.max(max, dataset.id), 0);
	return { read: { rows, truncated: false }, snapshot: highest > 0 ? { id: highest, at } : null };
}

/** One poll of the dataset-id cursor (New Dataset, New Session): the new datasets and the state that saves them. */
export async function pollDatasets(
	store: ProdigyStore,
	state: TriggerState,
	options: { startedAt: number; accept: (dataset: DatasetInfo) => boolean; maxEmit: number; limits: CursorLimits },
): Promise<{ emit: DatasetInfo[]; overflow: boolean; state: TriggerState }> {
	const cursor = state.datasetCursor ?? startCursor(0);
	const { read, snapshot } = await readNewDatasets(store, cursor);
	const step = pollStep({
		cursors: [cursor],
		reads: [read],
		snapshots: state.datasetSnapshots ?? [],
		snapshot,
		startedAt: options.startedAt,
		idOf: (dataset) => dataset.id,
		accept: options.accept,
		maxEmit: options.maxEmit,
		limits: options.limits,
	});
	return { emit: step.emit, overflow: step.overflow, state: { ...state, datasetCursor: step.cursors[0], datasetSnapshots: step.snapshots } };
}
