// Prodigy's `set_hashes`: `_input_hash` identifies the input (the text, image...), `_task_hash` the question
// asked about it (input + spans / label...). Prodigy excludes already-answered questions by these values, so they
// must come out bit-for-bit as Prodigy computes them (see prodigy-reference.md §2).
import { ProdigyInputError } from './errors';
import { PyFloat, pythonJsonDumps } from './json';
import { murmurhash3_32 } from './murmurhash';
import type { Task } from './store/types';

export interface HashOptions {
	/** Keys that identify the input (default: text, image, html, input). */
	inputKeys?: string[];
	/** Keys that identify the question about the input (default: spans, label, options, arcs). */
	taskKeys?: string[];
	/** Keys removed at every depth before hashing (default: score, rank, model, ...). */
	ignoreKeys?: string[];
	/** Recompute hashes a task already carries (default false: carried hashes are kept). */
	overwrite?: boolean;
}

export const DEFAULT_INPUT_KEYS: readonly string[] = Object.freeze(['text', 'image', 'html', 'input']);
export const DEFAULT_TASK_KEYS: readonly string[] = Object.freeze(['spans', 'label', 'options', 'arcs']);
export const DEFAULT_IGNORE_KEYS: readonly string[] = Object.freeze([
	'score',
	'rank',
	'model',
	'source',
	'pattern',
	'priority',
	'path',
	'_view_id',
	'_session_id',
	'_annotator_id',
	'answer',
]);

/** `review` is how Prodigy's review recipe rehashes the answers it merges. */
export const HASH_PRESETS: Record<'default' | 'review', { inputKeys: string[]; taskKeys: string[]; ignoreKeys: string[] }> = {
	default: { inputKeys: [...DEFAULT_INPUT_KEYS], taskKeys: [...DEFAULT_TASK_KEYS], ignoreKeys: [...DEFAULT_IGNORE_KEYS] },
	review: {
		inputKeys: ['text', 'image', 'html', 'options', 'audio', 'video'],
		taskKeys: ['spans', 'label', 'accept', 'audio_spans', 'relations'],
		ignoreKeys: [...DEFAULT_IGNORE_KEYS],
	},
};

const INPUT_HASH = '_input_hash';
const TASK_HASH = '_task_hash';

function isPlainRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof PyFloat);
}

function checkTask(task: unknown): asserts task is Task {
	if (!isPlainRecord(task)) {
		const kind = task === null ? 'null' : Array.isArray(task) ? 'an array' : typeof task;
		throw new ProdigyInputError(`A task must be a JSON object, got ${kind}`, {
			hint: 'Each item / line must be one object such as {"text": "..."}.',
		});
	}
}

/** Copy without the ignored keys at every depth: inside nested objects and inside lists. */
function withoutIgnored(value: unknown, ignore: ReadonlySet<string>): unknown {
	if (Array.isArray(value)) return value.map((item) => withoutIgnored(item, ignore));
	if (!isPlainRecord(value)) return value;
	// A null-prototype copy: a `__proto__` key stays an ordinary key (it is only serialized, never returned).
	const copy: Record<string, unknown> = Object.create(null);
	for (const key of Object.keys(value)) {
		if (!ignore.has(key)) copy[key] = withoutIgnored(value[key], ignore);
	}
	return copy;
}

/**
 * `key=JSON(value)` for each listed key the task has, in the listed order; undefined when it has none.
 * (unverified) Several present keys are concatenated with no separator: change it here if Prodigy differs.
 */
function keyedPieces(filtered: Record<string, unknown>, keys: readonly string[]): string | undefined {
	let pieces: string | undefined;
	for (const key of keys) {
		if (filtered[key] !== undefined) pieces = (pieces ?? '') + `${key}=${pythonJsonDumps(filtered[key])}`;
	}
	return pieces;
}

function resolve(options: HashOptions = {}) {
	return {
		inputKeys: options.inputKeys ?? DEFAULT_INPUT_KEYS,
		taskKeys: options.taskKeys ?? DEFAULT_TASK_KEYS,
		ignore: new Set(options.ignoreKeys ?? DEFAULT_IGNORE_KEYS),
		overwrite: options.overwrite ?? false,
	};
}

/** A carried hash is written to BIGINT columns and used as the task string's prefix: it must be an integer. */
function carriedHash(task: Task, key: string): number | bigint {
	const value = task[key];
	if ((typeof value === 'number' && Number.isInteger(value)) || typeof value === 'bigint') return value;
	throw new ProdigyInputError(`The task's ${key} must be an integer, got ${pythonJsonDumps(value ?? null)}`, {
		hint: 'Remove the value or enable overwrite to recompute it.',
	});
}

interface HashStrings {
	input: string;
	/** Whether the task's own `_input_hash` is the task string's prefix. */
	carriedInput: boolean;
	task: (inputHash: number | bigint) => string;
}

/**
 * Builds both hashed strings. The filtered task is the task as it stands when Prodigy hashes it: carried
 * `_input_hash` / `_task_hash` stay in it (unverified for overwrite: they then enter a fallback string).
 */
function hashStrings(task: Task, options?: HashOptions): HashStrings {
	checkTask(task);
	const { inputKeys, taskKeys, ignore, overwrite } = resolve(options);
	const filtered = withoutIgnored(task, ignore) as Record<string, unknown>;
	// Fallback when no input key is present: the whole filtered task.
	const input = keyedPieces(filtered, inputKeys) ?? pythonJsonDumps(filtered);
	return {
		input,
		carriedInput: !overwrite && task[INPUT_HASH] !== undefined,
		task: (inputHash) => {
			const pieces = keyedPieces(filtered, taskKeys);
			if (pieces !== undefined) return `${inputHash}${pieces}`;
			// Fallback when no task key is present: the whole filtered task, which by now carries _input_hash.
			if (!ignore.has(INPUT_HASH)) filtered[INPUT_HASH] = inputHash;
			return `${inputHash}${pythonJsonDumps(filtered)}`;
		},
	};
}

/** The string whose MurmurHash is the input hash (exported so tests and debugging can see it). */
export function inputHashString(task: Task, options?: HashOptions): string {
	return hashStrings(task, options).input;
}

/** The string whose MurmurHash is the task hash: the input hash in decimal, then the task pieces. */
export function taskHashString(task: Task, options?: HashOptions): string {
	const strings = hashStrings(task, options);
	const inputHash = strings.carriedInput ? carriedHash(task, INPUT_HASH) : murmurhash3_32(strings.input);
	return strings.task(inputHash);
}

/** Prodigy's input hash of the task's content (a carried `_input_hash` is not consulted). */
export function getInputHash(task: Task, options?: HashOptions): number {
	return murmurhash3_32(inputHashString(task, options));
}

/** Prodigy's task hash; its prefix is the carried `_input_hash` if any (unless overwrite), else the computed one. */
export function getTaskHash(task: Task, options?: HashOptions): number {
	return murmurhash3_32(taskHashString(task, options));
}

/**
 * A new task with `_input_hash` and `_task_hash` set the way Prodigy's set_hashes sets them. Hashes the task
 * already carries are kept unless `overwrite`: Prodigy 2017–18 used another scheme, recomputing would change them.
 * New keys are appended at the end, as Python appends to a dict; the input task is never modified.
 */
export function setHashes(task: Task, options?: HashOptions): Task {
	checkTask(task);
	const overwrite = options?.overwrite ?? false;
	const hasInput = !overwrite && task[INPUT_HASH] !== undefined;
	const hasTask = !overwrite && task[TASK_HASH] !== undefined;
	if (hasInput && hasTask) {
		carriedHash(task, INPUT_HASH);
		carriedHash(task, TASK_HASH);
		return { ...task };
	}
	const strings = hashStrings(task, options);
	const inputHash = hasInput ? carriedHash(task, INPUT_HASH) : murmurhash3_32(strings.input);
	const taskHash = hasTask ? carriedHash(task, TASK_HASH) : murmurhash3_32(strings.task(inputHash));
	return { ...task, [INPUT_HASH]: inputHash, [TASK_HASH]: taskHash };
}
