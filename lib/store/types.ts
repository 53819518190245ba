// The contract every part of the pack uses to read and write Prodigy's database. One implementation
// (store.ts) over three small dialects (sqlite.ts, postgres.ts, mysql.ts); nothing here imports n8n.
import type { HashOptions } from '../hashing';
import type { PreparedTask } from '../tasks';

export type JsonObject = { [key: string]: unknown };
/** A Prodigy task / annotation: a JSON object whose unknown fields are preserved. */
export type Task = JsonObject;

export interface SslConfig {
	/** Verify the server certificate against the CA (default true when ssl is enabled). */
	rejectUnauthorized?: boolean;
	/** PEM CA certificate, when the server uses a private CA. */
	ca?: string;
}

export type StoreConfig =
	| { type: 'sqlite'; path: string; /** ms to wait for Prodigy's lock on the same file */ busyTimeoutMs?: number }
	| {
			type: 'postgres';
			host: string;
			port: number;
			user: string;
			password: string;
			database: string;
			ssl?: boolean | SslConfig;
	  }
	| {
			type: 'mysql';
			host: string;
			port: number;
			user: string;
			password: string;
			database: string;
			ssl?: boolean | SslConfig;
	  };

export type BackendType = StoreConfig['type'];

export interface DatasetInfo {
	id: number;
	name: string;
	/** Unix epoch seconds, as Prodigy writes it. */
	created: number;
	meta: JsonObject;
	/** True for a session dataset (one per annotation session). */
	session: boolean;
}

export interface SessionDatasetInfo extends DatasetInfo {
	/** Examples linked to this session dataset. */
	examples: number;
}

export interface ListDatasetsOptions {
	/** Include session datasets (default false, like `prodigy stats -l`). */
	includeSessions?: boolean;
	/** Case-insensitive substring filter on the name. */
	nameContains?: string;
	/** Only datasets with id greater than this (used by the trigger's New Dataset cursor). */
	afterId?: number;
	limit?: number;
}

export type DedupeMode = 'none' | 'input' | 'task';

/** How prepared rows are written: one call is one transaction. */
export interface WriteExamplesOptions {
	/**
	 * Session dataset to link every example to as well, like Prodigy's server and `db-in`:
	 * a string names the session (`<dataset>-<name>`), `true` means a timestamped session named
	 * `YYYY-MM-DD_HH-MM-SS` (local time of `now`, like `db-in`), false/undefined means none.
	 */
	session?: string | boolean;
	/** Skip tasks whose input / task hash is already in the dataset or earlier in the batch (default 'none'). */
	dedupe?: DedupeMode;
	/**
	 * Whether to tell, for every task, if the dataset already held it (`AddedExample.duplicate`) when nothing is
	 * skipped (dedupe 'none'): one more read of the dataset's task hashes per call, which a large ingest into a big
	 * dataset does not want, so it is asked for (the n8n node does). With dedupe on, duplicates are always known.
	 */
	reportDuplicates?: boolean;
	/** Create the dataset when missing (default true, like `db-in`); false raises DatasetNotFoundError. */
	createDataset?: boolean;
	/** Meta for a dataset created by this call. */
	datasetMeta?: JsonObject;
	/**
	 * Rows per multi-row INSERT statement (default 500; fewer when the parameter or packet limit needs it). Not the
	 * transaction size: the whole call is one transaction (callers that want smaller transactions make more calls).
	 */
	rowsPerInsert?: number;
	/** @deprecated The old name of rowsPerInsert (kept: the library's names are a contract). */
	batchSize?: number;
	/** Clock for session names and `created` (tests). */
	now?: Date;
}

/** addExamples: prepares raw tasks (lib/tasks.ts prepareTask) and writes them as writeExamples does. */
export interface AddExamplesOptions extends WriteExamplesOptions {
	/** Set `answer` on tasks that have none (`db-in` sets "accept"). */
	defaultAnswer?: 'accept' | 'reject' | 'ignore';
	/** Hash keys and overwrite (default: Prodigy's defaults, existing hashes kept). */
	hashOptions?: HashOptions;
}

export interface AddedExample {
	/** The new example row's id; null when skipped. */
	exampleId: number | null;
	/** Link id in the main dataset; null when skipped. */
	linkId: number | null;
	inputHash: number;
	taskHash: number;
	/**
	 * The dataset already held this task when it was written (or an earlier task of the same call was it): by the
	 * dedupe mode's hash, by task hash when nothing is skipped. False when not asked (dedupe 'none' without
	 * reportDuplicates).
	 */
	duplicate: boolean;
	/** Not written because it was a duplicate under the dedupe mode. */
	skipped: boolean;
	/** The task exactly as stored (with `_input_hash` / `_task_hash` and default answer applied). */
	task: Task;
}

export interface AddExamplesResult {
	dataset: string;
	datasetCreated: boolean;
	sessionDataset?: string;
	added: number;
	skipped: number;
	/** One entry per input task, in input order. */
	examples: AddedExample[];
}

export interface GetExamplesOptions {
	/** Only these answers ('accept' | 'reject' | 'ignore'). */
	answer?: string | string[];
	/** Only examples also linked to this session dataset (full name, e.g. `ner_news-alex`) or whose
	 * `_session_id` / `_annotator_id` equals it. */
	session?: string;
	/** Only flagged (true) or only not flagged (false) examples. */
	flagged?: boolean;
	/** Only links with id greater than this. */
	afterLinkId?: number;
	/** Only links with id up to and including this (export as of a version). */
	upToLinkId?: number;
	/** Stop after this many matching examples. */
	limit?: number;
	/** Rows fetched per round trip (default 1000); memory stays bounded by it. */
	pageSize?: number;
	/**
	 * false: each record's `task` is parsed on first use instead of at once, for a reader that writes `raw` and
	 * rarely or never looks at the task (Export). Every row is still checked to hold a JSON object. Default true.
	 */
	parseTasks?: boolean;
}

export interface ExampleRecord {
	linkId: number;
	exampleId: number;
	datasetId: number;
	dataset: string;
	/** The `input_hash` / `task_hash` columns (what Prodigy excludes by). */
	inputHash: number;
	taskHash: number;
	task: Task;
	/** The content bytes exactly as stored (UTF-8 JSON); exports write these to stay byte-exact. */
	raw: string;
}

export interface AnswerCounts {
	accept: number;
	reject: number;
	ignore: number;
	/** Examples without an `answer` (raw tasks). */
	none: number;
}

export interface SessionStats extends AnswerCounts {
	/** Session dataset name (or `_session_id` when no session dataset is linked). */
	session: string;
	annotator: string | null;
	total: number;
	flagged: number;
	/** First / last `_timestamp` (Unix seconds) seen, null without timestamps. */
	firstTimestamp: number | null;
	lastTimestamp: number | null;
}

export interface DatasetStats extends AnswerCounts {
	dataset: string;
	created: number;
	meta: JsonObject;
	total: number;
	flagged: number;
	firstTimestamp: number | null;
	lastTimestamp: number | null;
	/** accept / (accept + reject), null when there is neither. */
	acceptRate: number | null;
	/** Lowest and highest link id in the dataset (null when empty). */
	minLinkId: number | null;
	maxLinkId: number | null;
	sessions: SessionStats[];
}

export interface RemoveExamplesSelector {
	inputHashes?: number[];
	taskHashes?: number[];
	exampleIds?: number[];
}

export interface RemoveExamplesResult {
	/** Links removed from the dataset. */
	unlinked: number;
	/** Example rows deleted because no dataset links them any more. */
	examplesDeleted: number;
}

export interface MergeOptions {
	/** Create the target when missing (default true). */
	createDataset?: boolean;
	/** Skip examples whose task hash is already in the target (default false: Prodigy never dedupes). */
	dedupe?: DedupeMode;
	/** Rehash with these options while merging: new example rows are written (rows are never updated). */
	rehash?: HashOptions;
}

export interface ProdigyStore {
	readonly type: BackendType;
	/** True when Prodigy's tables exist. Never creates them. */
	hasSchema(): Promise<boolean>;
	/** Creates Prodigy's exact schema when missing; never alters an existing one. Writes call it themselves. */
	ensureSchema(): Promise<void>;
	listDatasets(options?: ListDatasetsOptions): Promise<DatasetInfo[]>;
	/** Null when it does not exist. */
	getDataset(name: string): Promise<DatasetInfo | null>;
	/** Prodigy's name rules; throws DatasetExistsError when taken. */
	createDataset(name: string, meta?: JsonObject, options?: { session?: boolean; now?: Date }): Promise<DatasetInfo>;
	/** Merges a patch into meta (unknown keys kept), or applies an updater in one transaction (read-modify-write
	 * with a row lock, so concurrent version / approval appends are not lost). */
	updateMeta(name: string, patch: JsonObject | ((meta: JsonObject) => JsonObject | Promise<JsonObject>)): Promise<DatasetInfo>;
	/** Prodigy's `drop`: links and dataset row go, then the dropped dataset's examples that no other dataset (a
	 * session, or a merge target) links: those still linked elsewhere stay, so no link is left dangling. */
	dropDataset(name: string): Promise<{ deleted: true; linksDeleted: number; examplesDeleted: number }>;
	/** Bytes the `example.content` column holds as the database declares it; null when unbounded. */
	contentLimit(): Promise<number | null>;
	/** Prepares the tasks (hashes, default answer, one serialisation) and writes them in one transaction. */
	addExamples(dataset: string, tasks: Task[], options?: AddExamplesOptions): Promise<AddExamplesResult>;
	/** Writes rows lib's prepareTask made, in one transaction; results as addExamples. */
	writeExamples(dataset: string, rows: PreparedTask[], options?: WriteExamplesOptions): Promise<AddExamplesResult>;
	/** Streams in link-id order with bounded memory. */
	getExamples(dataset: string, options?: GetExamplesOptions): AsyncIterable<ExampleRecord>;
	/** Streams ordered by input hash, then link id (all answers to one input together), with bounded memory. */
	getExamplesByInput(dataset: string, options?: GetExamplesOptions): AsyncIterable<ExampleRecord>;
	countExamples(dataset: string, options?: GetExamplesOptions): Promise<number>;
	getStats(dataset: string): Promise<DatasetStats>;
	/** Links the examples of `sources` into `target` (like `db-merge`), one transaction. */
	mergeDatasets(sources: string[], target: string, options?: MergeOptions): Promise<{ linked: number; skipped: number; datasetCreated: boolean }>;
	/** Unlinks matching examples from this dataset only. */
	removeExamples(dataset: string, selector: RemoveExamplesSelector): Promise<RemoveExamplesResult>;
	/** Session datasets of `dataset`: those sharing examples with it, or named `<dataset>-<name>`; ordered by id. */
	listSessions(dataset: string, options?: { afterId?: number }): Promise<SessionDatasetInfo[]>;
	/** Highest link id in the database (or in these datasets), 0 when none: the trigger's starting point. */
	maxLinkId(datasets?: string[]): Promise<number>;
	close(): Promise<void>;
}
