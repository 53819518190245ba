// Building and checking Prodigy tasks before they are written: from mapped fields, with meta normalisation, and
// with the checks that let a whole batch be validated before anything touches the database. Plain functions, no n8n.
import { ContentTooLargeError, InvalidTaskError, ProdigyInputError } from './errors';
import { HASH_PRESETS, setHashes, type HashOptions } from './hashing';
import { PyFloat, stringifyTask } from './json';
import type { BackendType, JsonObject, Task } from './store/types';

export type HashPreset = 'default' | 'review' | 'custom';
export type ContentField = 'text' | 'image' | 'html' | 'input';
export type Answer = 'accept' | 'reject' | 'ignore';

/**
 * Largest `content` each backend stores. MySQL's BLOB holds 65,535 bytes and would cut a longer task short;
 * SQLite's BLOB and PostgreSQL's BYTEA have no limit a task reaches.
 */
export const MAX_CONTENT_BYTES: Partial<Record<BackendType, number>> = { mysql: 65_535 };

/**
 * Fields that count as a task's content for the "has content" check, beyond the hash preset's input keys:
 * Prodigy's audio / video tasks have no default input key but are real tasks.
 */
const MEDIA_KEYS = ['audio', 'video'];

function isObject(value: unknown): value is JsonObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof PyFloat);
}

function kindOf(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'an array';
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

/**
 * A copy of the task with meta normalised. Merge rules: top-level keys of `meta` only (no deep merge); a task
 * without meta gets the node's meta; with precedence 'task' the task's existing keys are kept, with 'node' they
 * are overwritten; keys the node does not set are always kept. A non-object `meta` is an error, not replaced.
 */
export function applyMeta(task: Task, rules: MetaRules): Task {
	const added = nodeMeta(rules);
	if (Object.keys(added).length === 0) return task;
	const existing = task.meta;
	if (existing !== undefined && existing !== null && !isObject(existing)) {
		throw new InvalidTaskError(`The task's meta must be a JSON object, got ${kindOf(existing)}`, {
			hint: 'Prodigy shows meta as a table of fields: make it an object such as {"source": "crm"}.',
		});
	}
	const current = existing ?? {};
	const meta = rules.precedence === 'node' ? { ...current, ...added } : { ...added, ...current };
	return { ...task, meta };
}

/** Throws unless the task has non-empty content under one of `inputKeys` (or audio / video). */
export function requireContent(task: Task, inputKeys: readonly string[]): void {
	const keys = [...new Set([...inputKeys, ...MEDIA_KEYS])];
	if (keys.some((key) => !isEmpty(task[key]))) return;
	const [first, ...rest] = keys;
	throw new InvalidTaskError(`The task has no "${first}"${rest.length ? ` (nor ${rest.join(', ')})` : ''}`, {
		hint: 'Each task needs its content, e.g. {"text": "..."}. Map the field that holds it, or fix the source data.',
	});
}

/** Throws ContentTooLargeError when the task's stored JSON exceeds what the backend's content column holds. */
export function checkContentSize(task: Task, backend: BackendType): void {
	const limit = MAX_CONTENT_BYTES[backend];
	if (limit === undefined) return;
	const bytes = Buffer.byteLength(stringifyTask(task), 'utf8');
	if (bytes > limit) {
		throw new ContentTooLargeError(
			`The task is ${bytes.toLocaleString('en-US')} bytes as JSON; Prodigy's ${backend} database stores at most ${limit.toLocaleString('en-US')} bytes per example`,
			{ hint: 'Split the text into shorter tasks (e.g. paragraphs), or drop large fields the annotators do not need.' },
		);
	}
}

export interface PrepareOptions {
	hashOptions: HashOptions;
	backend: BackendType;
	defaultAnswer?: Answer;
	meta?: MetaRules;
}

/**
 * The whole pre-write pipeline for one task, in Prodigy's order: check it is an object with content, set hashes
 * (before anything is added, like `db-in`, so hashes equal what Prodigy computes for the source task), normalise
 * meta, set the default answer, check the stored size. Returns a new task; the input is not modified.
 */
export function prepareTask(value: unknown, options: PrepareOptions): Task {
	if (!isObject(value)) {
		throw new InvalidTaskError(`A task must be a JSON object, got ${kindOf(value)}`, {
			hint: 'Each item or file line must be one object such as {"text": "..."}.',
		});
	}
	requireContent(value, options.hashOptions.inputKeys ?? HASH_PRESETS.default.inputKeys);
	let task = setHashes(value, options.hashOptions);
	if (options.meta) task = applyMeta(task, options.meta);
	if (options.defaultAnswer && (task.answer === undefined || task.answer === null)) {
		task = { ...task, answer: options.defaultAnswer };
	}
	checkContentSize(task, options.backend);
	return task;
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
export function locateError(error: unknown, where: string): unknown {
	if (!(error instanceof ProdigyInputError)) return error;
	const message = `${where}: ${error.message}`;
	const options = { hint: error.hint, index: error.index };
	if (error instanceof ContentTooLargeError) return new ContentTooLargeError(message, options);
	if (error instanceof InvalidTaskError) return new InvalidTaskError(message, options);
	// Other subclasses (dataset errors) are not about one task: their message stands alone.
	if (error.constructor === ProdigyInputError) return new ProdigyInputError(message, options);
	return error;
}
