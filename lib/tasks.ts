// Building and checking Prodigy tasks before they are written: from mapped fields, with meta normalisation, and
// with the checks that let a whole batch be validated before anything touches the database. Plain functions, no n8n.
import { ContentTooLargeError, errorMessage, InvalidTaskError, ProdigyInputError } from './errors';
import { computeHashes, HASH_PRESETS, type HashOptions } from './hashing';
import { builtinKind, isPlainObject, pythonJsonDumps, stringifyTask } from './json';
import type { JsonObject, Task } from './store/types';

export type HashPreset = 'default' | 'review' | 'custom';
export type ContentField = 'text' | 'image' | 'html' | 'input';
export type Answer = 'accept' | 'reject' | 'ignore';

/**
 * Fields that count as a task's content for the "has content" check, beyond the hash preset's input keys:
 * Prodigy's audio / video tasks have no default input key but are real tasks.
 */
const MEDIA_KEYS = ['audio', 'video'];

function kindOf(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'an array';
	if (typeof value === 'object' && !isPlainObject(value)) return builtinKind(value);
	return typeof value === 'string' ? 'a string' : typeof value;
}

/** "text, label , spans" → ['text', 'label', 'spans']. */
export function parseKeyList(text: string): string[] {
	return text
		.split(',')
		.map((key) => key.trim())
		.filter((key) => key !== '');
}

/** The hash options for a preset; custom lists fall back to the default preset's lists when empty. */
export function hashOptionsFor(
	preset: HashPreset,
	overwrite: boolean,
	custom: { inputKeys?: string[]; taskKeys?: string[] } = {},
): HashOptions {
	if (preset === 'review') return { ...HASH_PRESETS.review, overwrite };
	if (preset === 'custom') {
		const inputKeys = custom.inputKeys?.length ? custom.inputKeys : HASH_PRESETS.default.inputKeys;
		const taskKeys = custom.taskKeys?.length ? custom.taskKeys : HASH_PRESETS.default.taskKeys;
		return { ...HASH_PRESETS.default, inputKeys, taskKeys, overwrite };
	}
	return { ...HASH_PRESETS.default, overwrite };
}

export interface MappedTaskFields {
	/** Which Prodigy field holds the content. */
	contentField: ContentField;
	content: unknown;
	/** Binary-classification label; empty means none. */
	label?: string;
	/** Spans as an array (or JSON text of one); empty means none. */
	spans?: unknown;
	/** Multiple-choice options as an array (or JSON text of one); empty means none. */
	options?: unknown;
	/** Meta shown in Prodigy's UI. */
	meta?: JsonObject;
}

function isEmpty(value: unknown): boolean {
	return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

function invalidListJson(name: string, error: unknown): InvalidTaskError {
	const example = name === 'spans' ? '[{"start": 0, "end": 5, "label": "ORG"}]' : '[{"id": "a", "text": "A"}]';
	return new InvalidTaskError(`The mapped ${name} are not valid JSON: ${(error as Error).message}`, {
		hint: `Give ${name} as a JSON array, e.g. ${example}.`,
	});
}

function listField(name: string, value: unknown): unknown[] | undefined {
	if (isEmpty(value)) return undefined;
	let list = value;
	if (typeof value === 'string') {
		try {
			list = JSON.parse(value) as unknown;
		} catch (error) {
			throw invalidListJson(name, error);
		}
	}
	if (!Array.isArray(list)) {
		throw new InvalidTaskError(`The mapped ${name} must be a JSON array, got ${kindOf(list)}`, {
			hint: `Give ${name} as a JSON array of objects.`,
		});
	}
	return list;
}

/** A task from mapped fields, in Prodigy's field order: content, label, spans, options, meta. */
export function buildTask(fields: MappedTaskFields): Task {
	if (isEmpty(fields.content)) {
		throw new InvalidTaskError(`The mapped ${fields.contentField} is empty`, {
			hint: `Map the ${fields.contentField} field to the item's content, e.g. {{ $json.body }}.`,
		});
	}
	const task: Task = { [fields.contentField]: fields.content };
	if (!isEmpty(fields.label)) task.label = fields.label;
	const spans = listField('spans', fields.spans);
	if (spans) task.spans = spans;
	const options = listField('options', fields.options);
	if (options) task.options = options;
	if (fields.meta && Object.keys(fields.meta).length > 0) task.meta = { ...fields.meta };
	return task;
}

export interface MetaRules {
	/** Written to meta.source (where the task came from; Prodigy shows it in the UI and ignores it for hashes). */
	source?: string;
	/** Written to meta.region. */
	region?: string;
	/** Any further fixed meta fields. */
	fields?: JsonObject;
	/**
	 * Who wins when the task's meta already has a key: 'task' (default) keeps the task's value, so data from the
	 * source system is never overwritten; 'node' overwrites it with the node's value.
	 */
	precedence?: 'task' | 'node';
}

/** The node's meta as one object: fixed fields first, then source and region (which win over same-named fields). */
function nodeMeta(rules: MetaRules): JsonObject {
	const meta: JsonObject = { ...(rules.fields ?? {}) };
	if (!isEmpty(rules.source)) meta.source = rules.source;
	if (!isEmpty(rules.region)) meta.region = rules.region;
	return meta;
}

/** Prodigy shows meta as a table of fields: anything but an object (or nothing) is refused, node meta or not. */
function checkMeta(task: Task): void {
	const existing = task.meta;
	if (existing !== undefined && existing !== null && !isPlainObject(existing)) {
		throw new InvalidTaskError(`The task's meta must be a JSON object, got ${kindOf(existing)}`, {
			hint: 'Prodigy shows meta as a table of fields: make it an object such as {"source": "crm"}.',
		});
	}
}

/** The task's meta merged with the node's (see applyMeta); undefined when the node adds nothing. */
function mergedMeta(task: Task, rules: MetaRules): JsonObject | undefined {
	checkMeta(task);
	const added = nodeMeta(rules);
	if (Object.keys(added).length === 0) return undefined;
	const current = (task.meta ?? {}) as JsonObject;
	return rules.precedence === 'node' ? { ...current, ...added } : { ...added, ...current };
}

/**
 * A copy of the task with meta normalised. Merge rules: top-level keys of `meta` only (no deep merge); a task
 * without meta gets the node's meta; with precedence 'task' the task's existing keys are kept, with 'node' they
 * are overwritten; keys the node does not set are always kept. A non-object `meta` is an error, not replaced.
 */
export function applyMeta(task: Task, rules: MetaRules): Task {
	const meta = mergedMeta(task, rules);
	return meta === undefined ? task : { ...task, meta };
}

/** Throws unless the task has non-empty content under one of `inputKeys` (or audio / video). */
export function requireContent(task: Task, inputKeys: readonly string[]): void {
	// Every task of every ingest passes here: look before building the list the error names.
	for (const key of inputKeys) if (!isEmpty(task[key])) return;
	for (const key of MEDIA_KEYS) if (!isEmpty(task[key])) return;
	const [first, ...rest] = [...new Set([...inputKeys, ...MEDIA_KEYS])];
	throw new InvalidTaskError(`The task has no "${first}"${rest.length ? ` (nor ${rest.join(', ')})` : ''}`, {
		hint: 'Each task needs its content, e.g. {"text": "..."}. Map the field that holds it, or fix the source data.',
	});
}

/** The error for a task whose stored JSON exceeds what the database's `content` column holds. */
export function contentTooLarge(bytes: number, limit: number): ContentTooLargeError {
	return new ContentTooLargeError(
		`The task is ${bytes.toLocaleString('en-US')} bytes as JSON; the database's content column holds at most ${limit.toLocaleString('en-US')} bytes per example`,
		{
			hint: 'Split the text into shorter tasks (e.g. paragraphs), or drop large fields the annotators do not need (e.g. move images to a URL).',
		},
	);
}

/** A task ready to write: what lib's one pipeline hands the store (store.writeExamples). */
export interface PreparedTask {
	/** The task exactly as stored: hashes, meta and default answer applied. */
	task: Task;
	/** Its UTF-8 JSON, the `content` column's bytes: the task's one serialisation. */
	content: Buffer;
	inputHash: number;
	taskHash: number;
}

export interface PrepareOptions {
	/** Hash keys and overwrite (default: Prodigy's defaults, carried hashes kept). */
	hashOptions?: HashOptions;
	/** Bytes the database's `content` column holds, as declared (store.contentLimit()); null when unbounded. */
	contentLimit: number | null;
	defaultAnswer?: Answer;
	meta?: MetaRules;
	/** Require content under an input key (or audio / video); default true. */
	requireContent?: boolean;
}

/** A hash as the BIGINT columns take it: a carried one may be any integer JSON held, the columns need a safe one. */
function columnHash(value: number | bigint, key: string): number {
	const number = typeof value === 'bigint' ? Number(value) : value;
	if (!Number.isSafeInteger(number)) {
		throw new InvalidTaskError(`The task's ${key} must be an integer, got ${pythonJsonDumps(value)}`, {
			hint: 'Remove the carried hash so it is computed, or turn on Recompute Hashes.',
		});
	}
	return number;
}

/**
 * The whole pre-write pipeline for one task, in Prodigy's order, each step once: check it is an object (with
 * content), compute hashes (before anything is added, like `db-in`, so they equal what Prodigy computes for the
 * source task), normalise meta, set the default answer, serialise once and check the size against the real
 * column. The input is not modified. Errors are ProdigyInputErrors about "the task" (callers say which one).
 */
export function prepareTask(value: unknown, options: PrepareOptions): PreparedTask {
	if (!isPlainObject(value)) {
		throw new InvalidTaskError(`A task must be a JSON object, got ${kindOf(value)}`, {
			hint: 'Each item or file line must be one object such as {"text": "..."}.',
		});
	}
	if (options.requireContent !== false) requireContent(value, options.hashOptions?.inputKeys ?? HASH_PRESETS.default.inputKeys);
	try {
		const hashes = computeHashes(value, options.hashOptions);
		const meta = options.meta ? mergedMeta(value, options.meta) : (checkMeta(value), undefined);
		// One copy; new keys are appended in Prodigy's order (hashes, meta, answer), existing keys keep their place.
		const task: Task = { ...value, _input_hash: hashes.inputHash, _task_hash: hashes.taskHash };
		if (meta !== undefined) task.meta = meta;
		if (options.defaultAnswer && (task.answer === undefined || task.answer === null)) task.answer = options.defaultAnswer;
		const content = Buffer.from(stringifyTask(task), 'utf8');
		if (options.contentLimit !== null && content.length > options.contentLimit) throw contentTooLarge(content.length, options.contentLimit);
		return { task, content, inputHash: columnHash(hashes.inputHash, '_input_hash'), taskHash: columnHash(hashes.taskHash, '_task_hash') };
	} catch (error) {
		// A function or symbol value (possible from a Code node) cannot be JSON: the task is at fault.
		if (error instanceof Error && error.name === 'TypeError') throw new InvalidTaskError(`The task cannot be stored as JSON: ${errorMessage(error)}`);
		throw error;
	}
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A tasks file's text. Prodigy reads task files as UTF-8; a file in another encoding (a Latin-1 "café") would
 * otherwise be stored with U+FFFD in place of its characters, silently. The error names the first bad line.
 */
export function decodeTasksFile(bytes: Uint8Array, fileName: string): string {
	try {
		return STRICT_UTF8.decode(bytes);
	} catch (error) {
		if ((error as { code?: unknown }).code !== 'ERR_ENCODING_INVALID_ENCODED_DATA') throw error;
	}
	let line = 1;
	let start = 0;
	for (let i = 0; i <= bytes.length; i++) {
		if (i < bytes.length && bytes[i] !== 0x0a) continue;
		try {
			STRICT_UTF8.decode(bytes.subarray(start, i));
		} catch {
			break; // this line holds the first invalid byte sequence
		}
		line++;
		start = i + 1;
	}
	throw new InvalidTaskError(`${fileName} line ${line}: the file is not valid UTF-8`, {
		hint: 'Prodigy reads task files as UTF-8: save the file as UTF-8 (e.g. iconv -f latin1 -t utf-8 in.jsonl > out.jsonl).',
	});
}

/**
 * Where each task of a tasks file sits, for error messages: "line N" for JSON Lines (blank lines are skipped, as
 * parseTasksFile skips them), "task N" for a JSON array.
 */
export function taskLocations(text: string, count: number): string[] {
	const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
	if (body.trimStart().startsWith('[')) return Array.from({ length: count }, (_, i) => `task ${i + 1}`);
	const locations: string[] = [];
	body.split('\n').forEach((line, i) => {
		if (line.trim() !== '') locations.push(`line ${i + 1}`);
	});
	return locations;
}

/** Prefixes a task error's message with where it happened ("line 3"), keeping its class and hint. */
export function locateError(error: unknown, where: string, index?: number): unknown {
	if (!(error instanceof ProdigyInputError)) return error;
	const message = `${where}: ${error.message}`;
	const options = { hint: error.hint, index: index ?? error.index };
	if (error instanceof ContentTooLargeError) return new ContentTooLargeError(message, options);
	if (error instanceof InvalidTaskError) return new InvalidTaskError(message, options);
	// Other subclasses (dataset errors) are not about one task: their message stands alone.
	if (error.constructor === ProdigyInputError) return new ProdigyInputError(message, options);
	return error;
}
