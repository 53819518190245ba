// Reading values as the drivers return them: BIGINT may be a string (pg), BLOB a Buffer or Uint8Array, `session` a
// boolean or 0/1; and turning stored rows into the store's records.
import { ProdigyError } from '../errors';
import { isPlainObject, parseJsonLossless, toPlainJson } from '../json';
import type { Row } from './dialect';
import type { DatasetInfo, ExampleRecord, JsonObject, Task } from './types';

export function toInt(value: unknown): number {
	if (typeof value === 'number') return value;
	if (typeof value === 'bigint') return Number(value);
	if (typeof value === 'string' && value.trim() !== '') return Number(value);
	if (typeof value === 'boolean') return value ? 1 : 0;
	return Number.NaN;
}

export function toBool(value: unknown): boolean {
	if (typeof value === 'boolean') return value;
	if (typeof value === 'number' || typeof value === 'bigint') return Number(value) !== 0;
	if (typeof value === 'string') return value === '1' || value.toLowerCase() === 't' || value.toLowerCase() === 'true';
	if (value instanceof Uint8Array) return value.some((byte) => byte !== 0);
	return false;
}

const UTF8 = new TextDecoder('utf-8');

export function toText(value: unknown): string {
	if (typeof value === 'string') return value;
	if (value instanceof Uint8Array) return UTF8.decode(value);
	if (value === null || value === undefined) return '';
	return String(value);
}

/** What a caller passed instead of a JSON object, for an error message. */
export function describe(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'an array';
	return typeof value === 'object' ? 'a non-plain object' : `a ${typeof value}`;
}

/** Python's truthiness, as Prodigy's `eg.get("flagged")` tests it. */
export function pyTruthy(value: unknown): boolean {
	if (value === null || value === undefined || value === false) return false;
	if (typeof value === 'number') return value !== 0 && !Number.isNaN(value);
	if (typeof value === 'bigint') return value !== 0n;
	if (typeof value === 'string') return value.length > 0;
	if (Array.isArray(value)) return value.length > 0;
	if (typeof value === 'object') {
		const plain = toPlainJson(value);
		if (typeof plain === 'number') return plain !== 0;
		return plain !== null && Object.keys(plain as object).length > 0;
	}
	return true;
}

/** Meta as stored: tolerant, because one odd dataset must not break listing all of them. */
export function parseMetaLossless(value: unknown): JsonObject {
	const text = toText(value);
	if (text.trim() === '') return {};
	try {
		const parsed = parseJsonLossless(text);
		return isPlainObject(parsed) ? parsed : {};
	} catch (error) {
		if (error instanceof SyntaxError) return {};
		throw error;
	}
}

export function toDatasetInfo(row: Row): DatasetInfo {
	return {
		id: toInt(row.id),
		name: String(row.name),
		created: toInt(row.created),
		meta: toPlainJson(parseMetaLossless(row.meta)) as JsonObject,
		session: toBool(row.session),
	};
}

/** A row of a scan over a dataset's links joined with their examples. */
export interface LinkRow {
	link_id: number;
	example_id: number;
	input_hash: number;
	task_hash: number;
	content: unknown;
	in_session?: unknown;
	session_dataset_id?: unknown;
}

/** An example's content: strict, because a task that is not a JSON object cannot be handled as one. */
export function parseContent(raw: string, exampleId: number, datasetId: number): Task {
	let task: unknown;
	try {
		task = parseJsonLossless(raw);
	} catch (error) {
		if (!(error instanceof SyntaxError)) throw error;
		throw new ProdigyError(`Example ${exampleId} (dataset id ${datasetId}) does not hold valid JSON: ${error.message}`);
	}
	if (!isPlainObject(task)) throw new ProdigyError(`Example ${exampleId} (dataset id ${datasetId}) does not hold a JSON object`);
	return task;
}

/**
 * Refuses content that is not a JSON object, as parseContent would, without building the lossless task: V8's own
 * parser decides the common case several times faster. Whatever it does not accept as an object (including NaN and
 * Infinity, which Python's json writes and reads) goes to parseContent, which decides and names the error.
 */
function checkContent(raw: string, exampleId: number, datasetId: number): void {
	try {
		if (isPlainObject(JSON.parse(raw))) return;
	} catch {
		// Decided below.
	}
	parseContent(raw, exampleId, datasetId);
}

/**
 * A stored row as the store's record; fails on content that is not a JSON object. With `lazyTask`, `task` is parsed
 * losslessly on first use and the content only checked here: Export writes `raw` and never reads the task, and the
 * lossless parse was most of an export's time (docs/benchmarks.md, export-speed).
 */
export function toRecord(row: LinkRow, dataset: DatasetInfo, lazyTask = false): ExampleRecord {
	const raw = toText(row.content);
	const exampleId = toInt(row.example_id);
	let task: Task | undefined;
	if (lazyTask) checkContent(raw, exampleId, dataset.id);
	else task = parseContent(raw, exampleId, dataset.id);
	return {
		linkId: toInt(row.link_id),
		exampleId,
		datasetId: dataset.id,
		dataset: dataset.name,
		inputHash: toInt(row.input_hash),
		taskHash: toInt(row.task_hash),
		get task() {
			return (task ??= parseContent(raw, exampleId, dataset.id));
		},
		raw,
	};
}
