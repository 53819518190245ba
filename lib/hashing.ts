// Prodigy's `set_hashes`: `_input_hash` identifies the input (the text, image...), `_task_hash` the question
// asked about it (input + spans / label...). Prodigy excludes already-answered questions by these values, so they
// must come out bit-for-bit as Prodigy computes them (docs/prodigy.md §4).
import { InvalidTaskError } from './errors';
import { builtinKind, isPlainObject, PyJsonWriter, pythonJsonDumps, withPyJsonWriter } from './json';
import { murmurhash3_32Bytes } from './murmurhash';
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

function checkTask(task: unknown): asserts task is Task {
	// A Date, Map or class instance is not a task: it would be hashed and stored as something else (a string, {}).
	if (!isPlainObject(task)) {
		const kind = task === null ? 'null' : Array.isArray(task) ? 'an array' : typeof task === 'object' ? builtinKind(task) : typeof task;
		throw new InvalidTaskError(`A task must be a JSON object, got ${kind}`, {
			hint: 'Each item / line must be one object such as {"text": "..."}.',
		});
	}
}

/**
 * Writes `key=JSON(value)` for each listed key the task has, in the listed order; false when it has none.
 * (unverified) Several present keys are concatenated with no separator: change it here if Prodigy differs.
 */
function writePieces(writer: PyJsonWriter, task: Task, keys: readonly string[], ignore: ReadonlySet<string>): boolean {
	let any = false;
	for (const key of keys) {
		// An ignored key is removed before Prodigy looks for the keys; only own keys count (not `toString`).
		if (ignore.has(key) || !Object.prototype.hasOwnProperty.call(task, key)) continue;
		const start = writer.length;
		writer.utf8(key);
		writer.byte(0x3d); // =
		if (writer.value(task[key], ignore, 1)) any = true;
		else writer.length = start; // undefined counts as absent
	}
	return any;
}

const DEFAULT_IGNORE: ReadonlySet<string> = new Set(DEFAULT_IGNORE_KEYS);
// One Set per caller's key list, not one per task.
const ignoreSets = new WeakMap<readonly string[], ReadonlySet<string>>();

function ignoreSet(keys: readonly string[] | undefined): ReadonlySet<string> {
	if (keys === undefined) return DEFAULT_IGNORE;
	let set = ignoreSets.get(keys);
	if (!set) {
		set = new Set(keys);
		ignoreSets.set(keys, set);
	}
	return set;
}

function resolve(options: HashOptions = {}) {
	return {
		inputKeys: options.inputKeys ?? DEFAULT_INPUT_KEYS,
		taskKeys: options.taskKeys ?? DEFAULT_TASK_KEYS,
		ignore: ignoreSet(options.ignoreKeys),
		overwrite: options.overwrite ?? false,
	};
}

/** A carried hash is written to BIGINT columns and used as the task string's prefix: it must be an integer. */
function carriedHash(task: Task, key: string): number | bigint {
	const value = task[key];
	if ((typeof value === 'number' && Number.isInteger(value)) || typeof value === 'bigint') return value;
	throw new InvalidTaskError(`The task's ${key} must be an integer, got ${pythonJsonDumps(value ?? null)}`, {
		hint: 'Remove the value or enable overwrite to recompute it.',
	});
}

type Resolved = ReturnType<typeof resolve>;

/** The input string: the input pieces, or (no input key present) the whole task without ignored keys. */
function writeInputString(writer: PyJsonWriter, task: Task, o: Resolved): void {
	if (!writePieces(writer, task, o.inputKeys, o.ignore)) writer.value(task, o.ignore, 0);
}

/**
 * The task string: the input hash in decimal, then the task pieces or (no task key present) the whole task
 * without ignored keys, which by then carries `_input_hash`. Carried `_input_hash` / `_task_hash` are part of
 * the task as Prodigy hashes it (unverified for overwrite: they then enter a fallback string).
 */
function writeTaskString(writer: PyJsonWriter, task: Task, o: Resolved, inputHash: number | bigint): void {
	writer.ascii(String(inputHash));
	if (writePieces(writer, task, o.taskKeys, o.ignore)) return;
	writer.value(task, o.ignore, 0, o.ignore.has(INPUT_HASH) ? undefined : { key: INPUT_HASH, value: inputHash });
}

function hashOf(writer: PyJsonWriter): number {
	return murmurhash3_32Bytes(writer.bytes, writer.length);
}

/** The string whose MurmurHash is the input hash (exported so tests and debugging can see it). */
export function inputHashString(task: Task, options?: HashOptions): string {
	checkTask(task);
	return withPyJsonWriter((writer) => {
		writeInputString(writer, task, resolve(options));
		return writer.text();
	});
}

/** The input hash the task string starts with: the carried one unless overwrite, else computed. */
function prefixHash(writer: PyJsonWriter, task: Task, o: Resolved): number | bigint {
	if (!o.overwrite && task[INPUT_HASH] !== undefined) return carriedHash(task, INPUT_HASH);
	writeInputString(writer, task, o);
	const hash = hashOf(writer);
	writer.reset();
	return hash;
}

/** The string whose MurmurHash is the task hash: the input hash in decimal, then the task pieces. */
export function taskHashString(task: Task, options?: HashOptions): string {
	checkTask(task);
	const o = resolve(options);
	return withPyJsonWriter((writer) => {
		writeTaskString(writer, task, o, prefixHash(writer, task, o));
		return writer.text();
	});
}

/** Prodigy's input hash of the task's content (a carried `_input_hash` is not consulted). */
export function getInputHash(task: Task, options?: HashOptions): number {
	checkTask(task);
	return withPyJsonWriter((writer) => {
		writeInputString(writer, task, resolve(options));
		return hashOf(writer);
	});
}

/** Prodigy's task hash; its prefix is the carried `_input_hash` if any (unless overwrite), else the computed one. */
export function getTaskHash(task: Task, options?: HashOptions): number {
	checkTask(task);
	const o = resolve(options);
	return withPyJsonWriter((writer) => {
		writeTaskString(writer, task, o, prefixHash(writer, task, o));
		return hashOf(writer);
	});
}

/**
 * The task's `_input_hash` and `_task_hash` as Prodigy's set_hashes sets them. Hashes the task already carries
 * are kept unless `overwrite`: Prodigy 2017–18 used another scheme, recomputing would change them.
 */
export function computeHashes(task: Task, options?: HashOptions): { inputHash: number | bigint; taskHash: number | bigint } {
	checkTask(task);
	const o = resolve(options);
	const hasInput = !o.overwrite && task[INPUT_HASH] !== undefined;
	const hasTask = !o.overwrite && task[TASK_HASH] !== undefined;
	if (hasInput && hasTask) return { inputHash: carriedHash(task, INPUT_HASH), taskHash: carriedHash(task, TASK_HASH) };
	return withPyJsonWriter((writer) => {
		const inputHash = prefixHash(writer, task, o);
		if (hasTask) return { inputHash, taskHash: carriedHash(task, TASK_HASH) };
		writeTaskString(writer, task, o, inputHash);
		return { inputHash, taskHash: hashOf(writer) };
	});
}

/**
 * A new task with `_input_hash` and `_task_hash` set the way Prodigy's set_hashes sets them (see computeHashes).
 * New keys are appended at the end, as Python appends to a dict; the input task is never modified.
 */
export function setHashes(task: Task, options?: HashOptions): Task {
	const { inputHash, taskHash } = computeHashes(task, options);
	return { ...task, [INPUT_HASH]: inputHash, [TASK_HASH]: taskHash };
}
