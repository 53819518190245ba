// The one implementation of ProdigyStore. Every rule about Prodigy's data lives here once — transactions,
// hashing before writing, dedupe, session datasets, `drop` semantics, streaming reads, stats — over a Dialect
// that only knows its driver. SQL is written in the portable form the dialects translate (`?`, "identifiers").
import { sessionDatasetName, timestampSessionName, validateDatasetName, validateLookupName } from '../datasets';
import {
	CommitOutcomeUnknownError,
	DatasetExistsError,
	DatasetNotFoundError,
	InvalidTaskError,
	ProdigyConnectionError,
	ProdigyError,
	ProdigyInputError,
} from '../errors';
import type { HashOptions } from '../hashing';
import { isPlainObject, parseJsonLossless, setOwn, stringifyTask, toPlainJson } from '../json';
import { contentTooLarge, locateError, prepareTask, type PreparedTask } from '../tasks';
import { DatabaseError, multiRowInsert, sleep, type Dialect, type Executor, type SqlValue } from './dialect';
import { chunks, filtersTasks, IN_CHUNK, IN_SESSION_COLUMN, linkRange, placeholders, selectorColumns, taskFilter, type ExampleFilter } from './filters';
import { dedupeMode, DEFAULT_PAGE_SIZE, DEFAULT_ROWS_PER_INSERT, idBound, limitOption, positiveInt } from './options';
import { missingSchemaStatements, PRODIGY_TABLES } from './schema';
import { DatasetStatsAccumulator } from './stats';
import type {
	AddedExample,
	AddExamplesOptions,
	AddExamplesResult,
	BackendType,
	DatasetInfo,
	DatasetStats,
	DedupeMode,
	ExampleRecord,
	GetExamplesOptions,
	JsonObject,
	ListDatasetsOptions,
	MergeOptions,
	ProdigyStore,
	WriteExamplesOptions,
	RemoveExamplesResult,
	RemoveExamplesSelector,
	SessionDatasetInfo,
	Task,
} from './types';
import { describe, parseContent, parseMetaLossless, toBool, toDatasetInfo, toInt, toRecord, toText, type LinkRow } from './values';

const DATASET_COLUMNS = 'd."id" AS id, d."name" AS name, d."created" AS created, d."meta" AS meta, d."session" AS session';

function unixSeconds(date: Date): number {
	return Math.floor(date.getTime() / 1000);
}

/** A prepared row as the columns need it: safe-integer hashes, bytes within the real column. */
function checkRow(row: PreparedTask, index: number, contentLimit: number | null): void {
	const fail = (message: string) => new InvalidTaskError(`Task ${index}: ${message}`, { index, hint: 'Prepare rows with prepareTask.' });
	if (typeof row !== 'object' || row === null || !(row.content instanceof Uint8Array)) throw fail('not a prepared row (content bytes missing)');
	if (!Number.isSafeInteger(row.inputHash) || !Number.isSafeInteger(row.taskHash)) throw fail('the hashes must be integers');
	if (contentLimit !== null && row.content.length > contentLimit) throw locateError(contentTooLarge(row.content.length, contentLimit), `Task ${index}`, index);
}

interface ScanOptions {
	afterLinkId?: number;
	upToLinkId?: number;
	pageSize: number;
	/** Adds `in_session`: whether the example is also linked to this dataset id. */
	inSessionOf?: number;
	/** Adds `session_dataset_id`: the (lowest) session dataset also holding the example. */
	withSessionDataset?: boolean;
	/** Skip reading content (merging by links only). */
	withoutContent?: boolean;
}

export class Store implements ProdigyStore {
	private schemaPresent = false;
	/** Temporary tables of reads by input hash still running on this store (their names must differ). */
	private readonly inputOrderTables = new Set<string>();

	constructor(private readonly dialect: Dialect) {}

	get type(): BackendType {
		return this.dialect.type;
	}

	// -----------------------------------------------------------------------------------------------------------
	// Schema

	async hasSchema(): Promise<boolean> {
		if (this.schemaPresent) return true;
		const existing = await this.dialect.existingTables(this.dialect);
		this.schemaPresent = PRODIGY_TABLES.every((table) => existing.has(table));
		return this.schemaPresent;
	}

	async ensureSchema(): Promise<void> {
		if (this.schemaPresent) return;
		// A write may create the database itself (a new SQLite file), as Prodigy does on first connect.
		const existing = () => this.dialect.existingTables(this.dialect, { creating: true });
		for (let attempt = 1; ; attempt++) {
			const statements = missingSchemaStatements(this.dialect.type, await existing());
			if (statements.length === 0) break;
			try {
				await this.dialect.createTables(statements);
				break;
			} catch (error) {
				// Prodigy (or another n8n worker) may be creating the tables at the same moment. MySQL's DDL is not
				// transactional, so its half-built schema refuses our index ("Duplicate key name"): look again at
				// what exists and create only the rest.
				const present = await existing();
				if (PRODIGY_TABLES.every((table) => present.has(table))) break;
				if (attempt >= 5) throw error;
				await sleep(50 * attempt);
			}
		}
		this.schemaPresent = true;
	}

	// -----------------------------------------------------------------------------------------------------------
	// Datasets

	async listDatasets(options: ListDatasetsOptions = {}): Promise<DatasetInfo[]> {
		if (!(await this.hasSchema())) return [];
		const where: string[] = [];
		const params: SqlValue[] = [];
		if (!options.includeSessions) {
			where.push('d."session" = ?');
			params.push(this.dialect.bool(false));
		}
		const afterId = idBound(options.afterId, 'afterId');
		if (afterId !== undefined) {
			where.push('d."id" > ?');
			params.push(afterId);
		}
		const limit = limitOption(options.limit);
		if (limit === 0) return [];
		// The name filter runs here rather than in SQL: LIKE's escaping and case rules differ per backend.
		const needle = options.nameContains?.toLowerCase();
		let sql = `SELECT ${DATASET_COLUMNS} FROM "dataset" d${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY d."id"`;
		if (limit !== undefined && !needle) {
			sql += ' LIMIT ?';
			params.push(limit);
		}
		let datasets = (await this.dialect.query(sql, params)).map(toDatasetInfo);
		if (needle) datasets = datasets.filter((dataset) => dataset.name.toLowerCase().includes(needle));
		return limit === undefined ? datasets : datasets.slice(0, limit);
	}

	async getDataset(name: string): Promise<DatasetInfo | null> {
		if (!(await this.hasSchema())) return null;
		return this.findDataset(this.dialect, name);
	}

	async createDataset(name: string, meta: JsonObject = {}, options: { session?: boolean; now?: Date } = {}): Promise<DatasetInfo> {
		validateDatasetName(name);
		if (!isPlainObject(meta)) throw new ProdigyInputError(`Dataset meta must be a JSON object, got ${describe(meta)}`);
		await this.ensureSchema();
		try {
			return await this.dialect.transaction({ write: true }, async (tx) => {
				if (await this.findDataset(tx, name)) throw new DatasetExistsError(name);
				return this.insertDataset(tx, name, meta, options.session ?? false, options.now ?? new Date());
			});
		} catch (error) {
			if (error instanceof DatabaseError && error.uniqueViolation) throw new DatasetExistsError(name);
			throw error;
		}
	}

	async updateMeta(name: string, patch: JsonObject | ((meta: JsonObject) => JsonObject | Promise<JsonObject>)): Promise<DatasetInfo> {
		if (typeof patch !== 'function' && !isPlainObject(patch)) {
			throw new ProdigyInputError(`Meta patch must be a JSON object, got ${describe(patch)}`);
		}
		if (!(await this.hasSchema())) throw new DatasetNotFoundError(name);
		validateLookupName(name);
		return this.dialect.transaction({ write: true }, async (tx) => {
			// The row lock serialises concurrent read-modify-writes (version / approval appends) on PostgreSQL and
			// MySQL; on SQLite the write transaction already holds the file's lock.
			const rows = await tx.query(`SELECT ${DATASET_COLUMNS} FROM "dataset" d WHERE d."name" = ?${this.dialect.forUpdate}`, [name]);
			const row = rows.find((candidate) => String(candidate.name) === name);
			if (!row) throw new DatasetNotFoundError(name);
			const stored = parseMetaLossless(row.meta);
			let next: JsonObject;
			if (typeof patch === 'function') {
				// Awaited so that an async updater works too; it must not call this store (the transaction is open).
				next = await patch(toPlainJson(stored) as JsonObject);
				if (!isPlainObject(next)) throw new ProdigyInputError(`The meta updater must return a JSON object, got ${describe(next)}`);
			} else {
				// Merged into the losslessly parsed meta, so keys the patch does not touch keep their exact JSON;
				// a key set to undefined is removed. setOwn: a plain assignment of "__proto__" would drop the key.
				next = { ...stored };
				for (const [key, value] of Object.entries(patch)) {
					if (value === undefined) delete next[key];
					else setOwn(next, key, value);
				}
			}
			const text = stringifyTask(next);
			await tx.run('UPDATE "dataset" SET "meta" = ? WHERE "id" = ?', [this.dialect.blob(text), toInt(row.id)]);
			return { ...toDatasetInfo(row), meta: toPlainJson(parseJsonLossless(text)) as JsonObject };
		});
	}

	async dropDataset(name: string): Promise<{ deleted: true; linksDeleted: number; examplesDeleted: number }> {
		if (!(await this.hasSchema())) throw new DatasetNotFoundError(name);
		return this.dialect.transaction({ write: true }, async (tx) => {
			const dataset = await this.findDataset(tx, name, true);
			if (!dataset) throw new DatasetNotFoundError(name);
			let linksDeleted = 0;
			let examplesDeleted = 0;
			// Examples only this dataset holds go with it; examples another dataset (a session) links stay.
			// Walked in pages of example ids so memory stays bounded for huge datasets.
			let after = 0;
			for (;;) {
				const orphans = (
					await tx.query(
						'SELECT DISTINCT l."example_id" AS example_id FROM "link" l WHERE l."dataset_id" = ? AND l."example_id" > ? ' +
							'AND NOT EXISTS (SELECT 1 FROM "link" o WHERE o."example_id" = l."example_id" AND o."dataset_id" <> ?) ' +
							'ORDER BY l."example_id" LIMIT ?',
						[dataset.id, after, dataset.id, IN_CHUNK],
					)
				).map((row) => toInt(row.example_id));
				if (orphans.length === 0) break;
				after = orphans[orphans.length - 1];
				linksDeleted += await tx.run(
					`DELETE FROM "link" WHERE "dataset_id" = ? AND "example_id" IN (${placeholders(orphans.length)})`,
					[dataset.id, ...orphans],
				);
				examplesDeleted += await tx.run(`DELETE FROM "example" WHERE "id" IN (${placeholders(orphans.length)})`, orphans);
			}
			linksDeleted += await tx.run('DELETE FROM "link" WHERE "dataset_id" = ?', [dataset.id]);
			await tx.run('DELETE FROM "dataset" WHERE "id" = ?', [dataset.id]);
			return { deleted: true as const, linksDeleted, examplesDeleted };
		});
	}

	async listSessions(dataset: string, options: { afterId?: number } = {}): Promise<SessionDatasetInfo[]> {
		if (!(await this.hasSchema())) throw new DatasetNotFoundError(dataset);
		const main = await this.findDataset(this.dialect, dataset);
		if (!main) throw new DatasetNotFoundError(dataset);
		const rows = await this.dialect.query(
			`SELECT ${DATASET_COLUMNS}, (SELECT COUNT(*) FROM "link" c WHERE c."dataset_id" = d."id") AS examples, ` +
				'CASE WHEN EXISTS (SELECT 1 FROM "link" s JOIN "link" m ON m."example_id" = s."example_id" ' +
				'WHERE s."dataset_id" = d."id" AND m."dataset_id" = ?) THEN 1 ELSE 0 END AS shares ' +
				'FROM "dataset" d WHERE d."session" = ? AND d."id" > ? ORDER BY d."id"',
			[main.id, this.dialect.bool(true), idBound(options.afterId, 'afterId') ?? 0],
		);
		const prefix = `${dataset}-`;
		return rows
			.filter((row) => toBool(row.shares) || String(row.name).startsWith(prefix))
			.map((row) => ({ ...toDatasetInfo(row), examples: toInt(row.examples) }));
	}

	async maxLinkId(datasets?: string[]): Promise<number> {
		const names = datasets ?? [];
		if (!(await this.hasSchema())) {
			if (names.length > 0) throw new DatasetNotFoundError(names[0]);
			return 0;
		}
		const ids: number[] = [];
		for (const name of names) {
			const found = await this.findDataset(this.dialect, name);
			if (!found) throw new DatasetNotFoundError(name);
			ids.push(found.id);
		}
		const where = datasets === undefined ? '' : ` WHERE "dataset_id" IN (${placeholders(ids.length)})`;
		if (datasets !== undefined && ids.length === 0) return 0;
		const [row] = await this.dialect.query(`SELECT MAX("id") AS max_id FROM "link"${where}`, ids);
		const max = toInt(row?.max_id);
		return Number.isNaN(max) ? 0 : max;
	}

	// -----------------------------------------------------------------------------------------------------------
	// Writing examples

	async contentLimit(): Promise<number | null> {
		return this.dialect.contentLimit(this.dialect);
	}

	async addExamples(dataset: string, tasks: Task[], options: AddExamplesOptions = {}): Promise<AddExamplesResult> {
		if (!Array.isArray(tasks)) throw new InvalidTaskError(`Tasks must be an array, got ${describe(tasks)}`);
		// Everything that can be wrong with the input is found before anything is written.
		const contentLimit = await this.contentLimit();
		// Array.from visits holes of a sparse array (as undefined), which map would skip without a word.
		const prepared = Array.from(tasks, (task, index) => {
			try {
				return prepareTask(task, { hashOptions: options.hashOptions, defaultAnswer: options.defaultAnswer, contentLimit, requireContent: false });
			} catch (error) {
				throw locateError(error, `Task ${index}`, index);
			}
		});
		return this.writeExamples(dataset, prepared, options);
	}

	async writeExamples(dataset: string, rows: PreparedTask[], options: WriteExamplesOptions = {}): Promise<AddExamplesResult> {
		if (!Array.isArray(rows)) throw new InvalidTaskError(`Rows must be an array, got ${describe(rows)}`);
		const dedupe = dedupeMode(options.dedupe);
		const rowsPerInsert = positiveInt(options.rowsPerInsert ?? options.batchSize, DEFAULT_ROWS_PER_INSERT, 'Rows per INSERT');
		const now = options.now ?? new Date();
		const session = options.session;
		if (session !== undefined && typeof session !== 'string' && typeof session !== 'boolean') {
			throw new ProdigyInputError(`session must be a session name (string) or true / false, got ${describe(session)}`, {
				hint: 'Give the annotator name (e.g. "alex" for "<dataset>-alex"), true for a session named by the time, or leave it out.',
			});
		}
		const sessionName =
			typeof session === 'string' ? sessionDatasetName(dataset, session) : session === true ? timestampSessionName(now) : undefined;
		if (sessionName !== undefined) validateDatasetName(sessionName);
		if (options.datasetMeta !== undefined && !isPlainObject(options.datasetMeta)) {
			throw new ProdigyInputError(`Dataset meta must be a JSON object, got ${describe(options.datasetMeta)}`);
		}
		// Rows come from lib's prepareTask; the store only re-checks what the database itself would get wrong.
		const contentLimit = await this.contentLimit();
		rows.forEach((row, index) => checkRow(row, index, contentLimit));
		await this.ensureSchema();

		const attempt = () =>
			this.dialect.transaction({ write: true }, async (tx) => {
				let datasetCreated = false;
				let main = await this.findDataset(tx, dataset);
				if (!main) {
					if (options.createDataset === false) throw new DatasetNotFoundError(dataset);
					validateDatasetName(dataset);
					main = await this.insertDataset(tx, dataset, options.datasetMeta ?? {}, false, now);
					datasetCreated = true;
				} else if (dedupe !== 'none') {
					await this.lockDataset(tx, main.id);
				}
				// Skipping compares by the dedupe mode's hash; a report without skipping, by task hash (the same question).
				const compareBy = dedupe !== 'none' ? dedupe : options.reportDuplicates === true ? 'task' : 'none';
				const duplicate = await this.findDuplicates(tx, main.id, datasetCreated, rows, compareBy);
				const skip = dedupe === 'none' ? rows.map(() => false) : duplicate;
				const fresh = rows.filter((_, i) => !skip[i]);
				// A session dataset is made only when something is linked to it: a scheduled add that finds nothing new
				// (or only duplicates) would otherwise leave one empty session dataset per run.
				const sessionDataset =
					sessionName === undefined || fresh.length === 0
						? undefined
						: ((await this.findDataset(tx, sessionName)) ?? (await this.insertDataset(tx, sessionName, {}, true, now)));
				const exampleIds = await this.insertExamples(tx, fresh, rowsPerInsert);
				// Prodigy links each example to every dataset in turn (main, then session), so link ids interleave.
				const targets = sessionDataset ? [main.id, sessionDataset.id] : [main.id];
				const links: Array<[number, number]> = [];
				for (const exampleId of exampleIds) for (const datasetId of targets) links.push([exampleId, datasetId]);
				const linkIds = await this.insertLinks(tx, links, rowsPerInsert * targets.length);

				// One object per task, built once: a large ingest returns as many as it was given.
				let next = 0;
				const examples = rows.map((row, i): AddedExample => {
					const position = skip[i] ? -1 : next++;
					return {
						inputHash: row.inputHash,
						taskHash: row.taskHash,
						task: row.task,
						exampleId: position < 0 ? null : exampleIds[position],
						linkId: position < 0 ? null : linkIds[position * targets.length],
						duplicate: duplicate[i],
						skipped: position < 0,
					};
				});
				const result: AddExamplesResult = {
					dataset,
					datasetCreated,
					added: fresh.length,
					skipped: rows.length - fresh.length,
					examples,
				};
				if (sessionDataset) result.sessionDataset = sessionDataset.name;
				return result;
			});
		return this.confirmCommit(
			() => this.retryingRaces(attempt),
			async (result) => {
				// A transaction's links become visible together or never (ids of a rolled-back insert are not reused).
				const linked = (example: AddedExample) => example.linkId !== null;
				const first = result.examples.find(linked)?.linkId;
				const last = result.examples.findLast(linked)?.linkId;
				if (first == null || last == null) {
					for (const name of [dataset, result.sessionDataset]) {
						if (name !== undefined && !(await this.findDataset(this.dialect, name))) return false;
					}
					return true;
				}
				const ends = [...new Set([first, last])];
				const [row] = await this.dialect.query(`SELECT COUNT(*) AS n FROM "link" WHERE "id" IN (${placeholders(ends.length)})`, ends);
				const found = toInt(row?.n);
				if (found === ends.length) return true;
				if (found === 0) return false;
				throw new ProdigyError('part of a transaction is visible');
			},
		);
	}

	async mergeDatasets(
		sources: string[],
		target: string,
		options: MergeOptions = {},
	): Promise<{ linked: number; skipped: number; datasetCreated: boolean }> {
		if (!Array.isArray(sources) || sources.length === 0) throw new ProdigyInputError('Give at least one source dataset to merge');
		if (sources.includes(target)) {
			throw new ProdigyInputError(`The target dataset "${target}" is also a source`, { hint: 'Merge into a different dataset.' });
		}
		const dedupe = dedupeMode(options.dedupe);
		const rehash: HashOptions | undefined = options.rehash ? { ...options.rehash, overwrite: options.rehash.overwrite ?? true } : undefined;
		if (!(await this.hasSchema())) throw new DatasetNotFoundError(sources[0]);
		const contentLimit = rehash ? await this.dialect.contentLimit(this.dialect) : null;

		const attempt = () =>
			this.dialect.transaction({ write: true }, async (tx) => {
				const sourceIds: number[] = [];
				for (const name of sources) {
					const found = await this.findDataset(tx, name);
					if (!found) throw new DatasetNotFoundError(name);
					sourceIds.push(found.id);
				}
				let datasetCreated = false;
				let targetInfo = await this.findDataset(tx, target);
				if (!targetInfo) {
					if (options.createDataset === false) throw new DatasetNotFoundError(target);
					validateDatasetName(target);
					targetInfo = await this.insertDataset(tx, target, {}, false, new Date());
					datasetCreated = true;
				} else {
					await this.lockDataset(tx, targetInfo.id);
				}
				const targetId = targetInfo.id;
				// An example is linked to a dataset at most once, whatever the dedupe mode.
				const seenExamples = new Set<number>();
				const seenHashes = new Set<number>();
				if (!datasetCreated) {
					for await (const page of this.scanLinkPages(tx, targetId, { pageSize: DEFAULT_PAGE_SIZE, withoutContent: true })) {
						for (const row of page) {
							seenExamples.add(toInt(row.example_id));
							if (dedupe !== 'none') seenHashes.add(toInt(dedupe === 'input' ? row.input_hash : row.task_hash));
						}
					}
				}
				let linked = 0;
				let skipped = 0;
				let pendingLinks: Array<[number, number]> = [];
				let pendingExamples: PreparedTask[] = [];
				const flush = async () => {
					if (pendingExamples.length > 0) {
						const ids = await this.insertExamples(tx, pendingExamples, DEFAULT_ROWS_PER_INSERT);
						pendingLinks.push(...ids.map((id) => [id, targetId] as [number, number]));
						pendingExamples = [];
					}
					await this.insertLinks(tx, pendingLinks, DEFAULT_ROWS_PER_INSERT);
					pendingLinks = [];
				};
				for (const sourceId of sourceIds) {
					for await (const page of this.scanLinkPages(tx, sourceId, { pageSize: DEFAULT_PAGE_SIZE, withoutContent: !rehash })) {
						for (const row of page) {
							const exampleId = toInt(row.example_id);
							if (seenExamples.has(exampleId)) {
								skipped++;
								continue;
							}
							seenExamples.add(exampleId);
							let prepared: PreparedTask | undefined;
							let inputHash = toInt(row.input_hash);
							let taskHash = toInt(row.task_hash);
							if (rehash) {
								const task = parseContent(toText(row.content), exampleId, sourceId);
								try {
									prepared = prepareTask(task, { hashOptions: rehash, contentLimit, requireContent: false });
								} catch (error) {
									throw locateError(error, `Example ${exampleId}`);
								}
								({ inputHash, taskHash } = prepared);
							}
							if (dedupe !== 'none') {
								const hash = dedupe === 'input' ? inputHash : taskHash;
								if (seenHashes.has(hash)) {
									skipped++;
									continue;
								}
								seenHashes.add(hash);
							}
							linked++;
							if (prepared) pendingExamples.push(prepared);
							else pendingLinks.push([exampleId, targetId]);
							if (pendingExamples.length + pendingLinks.length >= DEFAULT_ROWS_PER_INSERT) await flush();
						}
					}
				}
				await flush();
				return { linked, skipped, datasetCreated };
			});
		return this.retryingRaces(attempt);
	}

	async removeExamples(dataset: string, selector: RemoveExamplesSelector): Promise<RemoveExamplesResult> {
		const lists = selectorColumns(selector);
		if (!(await this.hasSchema())) throw new DatasetNotFoundError(dataset);
		return this.dialect.transaction({ write: true }, async (tx) => {
			const found = await this.findDataset(tx, dataset, true);
			if (!found) throw new DatasetNotFoundError(dataset);
			const links = new Map<number, number>();
			for (const [column, values] of lists) {
				for (const chunk of chunks(values, IN_CHUNK)) {
					const rows = await tx.query(
						`SELECT l."id" AS link_id, l."example_id" AS example_id FROM "link" l JOIN "example" e ON e."id" = l."example_id" ` +
							`WHERE l."dataset_id" = ? AND ${column} IN (${placeholders(chunk.length)})`,
						[found.id, ...chunk],
					);
					for (const row of rows) links.set(toInt(row.link_id), toInt(row.example_id));
				}
			}
			let unlinked = 0;
			for (const chunk of chunks([...links.keys()], IN_CHUNK)) {
				unlinked += await tx.run(`DELETE FROM "link" WHERE "id" IN (${placeholders(chunk.length)})`, chunk);
			}
			let examplesDeleted = 0;
			for (const chunk of chunks([...new Set(links.values())], IN_CHUNK)) {
				const stillLinked = new Set(
					(
						await tx.query(`SELECT DISTINCT "example_id" AS example_id FROM "link" WHERE "example_id" IN (${placeholders(chunk.length)})`, chunk)
					).map((row) => toInt(row.example_id)),
				);
				const orphans = chunk.filter((id) => !stillLinked.has(id));
				if (orphans.length > 0) {
					examplesDeleted += await tx.run(`DELETE FROM "example" WHERE "id" IN (${placeholders(orphans.length)})`, orphans);
				}
			}
			return { unlinked, examplesDeleted };
		});
	}

	// -----------------------------------------------------------------------------------------------------------
	// Reading examples

	async *getExamples(dataset: string, options: GetExamplesOptions = {}): AsyncIterable<ExampleRecord> {
		const read = await this.startRead(dataset, options);
		if (!read) return;
		const { found, pageSize, limit, filter, inSessionOf, lazyTask } = read;
		let emitted = 0;
		const pages = this.scanLinkPages(this.dialect, found.id, {
			afterLinkId: options.afterLinkId,
			upToLinkId: options.upToLinkId,
			// Without filters in JavaScript, never fetch more rows than will be returned.
			pageSize: filter ? pageSize : Math.min(pageSize, limit),
			inSessionOf,
		});
		for await (const page of pages) {
			for (const row of page) {
				const record = toRecord(row, found, lazyTask);
				if (filter && !filter(record.task, row)) continue;
				yield record;
				if (++emitted >= limit) return;
			}
		}
	}

	/**
	 * The dataset's examples ordered by input hash (then link id), so that all answers to one input arrive together,
	 * with memory bounded by a page however large the dataset. The input_hash column has no index (Prodigy's schema
	 * is never altered), so the keys are first copied, a page at a time, into a temporary table of this connection
	 * whose primary key is (input_hash, link_id); pages are then read from it in that order and joined with their
	 * content. The database holds the order (on disk where it must), never this process. Every statement commits on
	 * its own: no lock or snapshot is held across the read. A link removed during the read is skipped.
	 */
	async *getExamplesByInput(dataset: string, options: GetExamplesOptions = {}): AsyncIterable<ExampleRecord> {
		const read = await this.startRead(dataset, options);
		if (!read) return;
		const { found, pageSize, limit, filter, inSessionOf, lazyTask } = read;
		let number = 1;
		while (this.inputOrderTables.has(`prodigy_input_order_${number}`)) number++;
		// A constant prefix and a counter: never user input.
		const table = `prodigy_input_order_${number}`;
		this.inputOrderTables.add(table);
		let session: Awaited<ReturnType<Dialect['reserve']>> | undefined;
		let failure: unknown;
		try {
			session = await this.dialect.reserve();
			await session.run(`CREATE TEMPORARY TABLE "${table}" ("input_hash" BIGINT NOT NULL, "link_id" BIGINT NOT NULL, PRIMARY KEY ("input_hash", "link_id"))`);
			try {
				let keys: SqlValue[][] = [];
				const flush = async () => {
					if (keys.length > 0) await session?.run(multiRowInsert(table, ['input_hash', 'link_id'], keys.length), keys.flat());
					keys = [];
				};
				const pages = this.scanLinkPages(this.dialect, found.id, {
					afterLinkId: options.afterLinkId,
					upToLinkId: options.upToLinkId,
					pageSize: DEFAULT_PAGE_SIZE,
					withoutContent: true,
				});
				for await (const page of pages) {
					for (const row of page) {
						keys.push([toInt(row.input_hash), toInt(row.link_id)]);
						if (keys.length >= DEFAULT_ROWS_PER_INSERT) await flush();
					}
				}
				await flush();

				const columns = ['t."input_hash" AS input_hash', 't."link_id" AS link_id', 'l."example_id" AS example_id', 'e."task_hash" AS task_hash', 'e."content" AS content'];
				const selectParams: SqlValue[] = [];
				if (inSessionOf !== undefined) {
					columns.push(IN_SESSION_COLUMN);
					selectParams.push(inSessionOf);
				}
				// Keyset over the primary key: the range on input_hash is what the index walks from.
				const sql =
					`SELECT ${columns.join(', ')} FROM "${table}" t LEFT JOIN "link" l ON l."id" = t."link_id" LEFT JOIN "example" e ON e."id" = l."example_id" ` +
					`WHERE t."input_hash" >= ? AND (t."input_hash" > ? OR t."link_id" > ?) ORDER BY t."input_hash", t."link_id" LIMIT ?`;
				let afterHash = Number.MIN_SAFE_INTEGER;
				let afterLink = 0;
				let emitted = 0;
				for (;;) {
					const rows = await session.queryPage(sql, [...selectParams, afterHash, afterHash, afterLink, pageSize]);
					for (const row of rows) {
						if (row.content === null || row.content === undefined) continue;
						const record = toRecord(row as unknown as LinkRow, found, lazyTask);
						if (filter && !filter(record.task, row as unknown as LinkRow)) continue;
						yield record;
						if (++emitted >= limit) return;
					}
					if (rows.length < pageSize) return;
					afterHash = toInt(rows[rows.length - 1].input_hash);
					afterLink = toInt(rows[rows.length - 1].link_id);
				}
			} finally {
				try {
					await session.run(`DROP TABLE "${table}"`);
				} catch (error) {
					// The connection is likely gone with its temporary table; report the first failure, not this one.
					failure ??= error;
				}
			}
		} catch (error) {
			failure = error;
			throw error;
		} finally {
			this.inputOrderTables.delete(table);
			await session?.release(failure);
		}
	}

	async countExamples(dataset: string, options: GetExamplesOptions = {}): Promise<number> {
		if (filtersTasks(options)) {
			let count = 0;
			const records = this.getExamples(dataset, options)[Symbol.asyncIterator]();
			while (!(await records.next()).done) count++;
			return count;
		}
		if (!(await this.hasSchema())) throw new DatasetNotFoundError(dataset);
		const found = await this.findDataset(this.dialect, dataset);
		if (!found) throw new DatasetNotFoundError(dataset);
		const { where, params } = linkRange(found.id, options);
		const [row] = await this.dialect.query(`SELECT COUNT(*) AS n FROM "link" l WHERE ${where}`, params);
		const count = toInt(row?.n);
		const limit = limitOption(options.limit);
		return limit === undefined ? count : Math.min(count, limit);
	}

	async getStats(dataset: string): Promise<DatasetStats> {
		if (!(await this.hasSchema())) throw new DatasetNotFoundError(dataset);
		const found = await this.findDataset(this.dialect, dataset);
		if (!found) throw new DatasetNotFoundError(dataset);
		const sessionNames = new Map<number, string>(
			(await this.dialect.query('SELECT d."id" AS id, d."name" AS name FROM "dataset" d WHERE d."session" = ?', [this.dialect.bool(true)])).map(
				(row) => [toInt(row.id), String(row.name)],
			),
		);
		const stats = new DatasetStatsAccumulator(found);
		for await (const page of this.scanLinkPages(this.dialect, found.id, { pageSize: DEFAULT_PAGE_SIZE, withSessionDataset: true })) {
			for (const row of page) {
				const task = parseContent(toText(row.content), toInt(row.example_id), found.id);
				const sessionDatasetId = row.session_dataset_id === null || row.session_dataset_id === undefined ? undefined : toInt(row.session_dataset_id);
				const sessionId = typeof task._session_id === 'string' ? task._session_id : undefined;
				stats.add(task, toInt(row.link_id), (sessionDatasetId !== undefined ? sessionNames.get(sessionDatasetId) : undefined) ?? sessionId);
			}
		}
		return stats.result();
	}

	async close(): Promise<void> {
		this.schemaPresent = false;
		await this.dialect.close();
	}

	// -----------------------------------------------------------------------------------------------------------
	// Internals

	private async findDataset(executor: Executor, name: string, lock = false): Promise<DatasetInfo | null> {
		validateLookupName(name);
		const rows = await executor.query(`SELECT ${DATASET_COLUMNS} FROM "dataset" d WHERE d."name" = ?${lock ? this.dialect.forUpdate : ''}`, [name]);
		// MySQL's default collation compares case-insensitively; Prodigy's names are case-sensitive.
		const row = rows.find((candidate) => String(candidate.name) === name);
		return row ? toDatasetInfo(row) : null;
	}

	/**
	 * Serialises writers that dedupe against the same dataset, so two batches cannot both add one hash. Locked by
	 * primary key: a locking read of a missing name would take gap locks on MySQL and deadlock concurrent creators.
	 */
	private async lockDataset(tx: Executor, id: number): Promise<void> {
		if (this.dialect.forUpdate) await tx.query(`SELECT d."id" AS id FROM "dataset" d WHERE d."id" = ?${this.dialect.forUpdate}`, [id]);
	}

	/**
	 * After a COMMIT whose reply was lost (the connection broke on the way), reconnects and lets the database say
	 * whether the transaction landed: returns its result when it did, says "nothing was saved" when it did not, and
	 * leaves the CommitOutcomeUnknownError (which says how to recover) when that cannot be established.
	 */
	private async confirmCommit<T>(write: () => Promise<T>, landed: (result: T) => Promise<boolean>): Promise<T> {
		try {
			return await write();
		} catch (error) {
			if (!(error instanceof CommitOutcomeUnknownError) || !error.settled) throw error;
			let saved: boolean;
			try {
				saved = await landed(error.pendingResult as T);
			} catch {
				throw error;
			}
			if (saved) return error.pendingResult as T;
			throw new ProdigyConnectionError(
				`${error.lost}; checked after reconnecting: the database rolled the change back, nothing of it was saved`,
				'Run it again once the database is reachable.',
			);
		}
	}

	/** Runs a write transaction again when it lost a race that a fresh attempt resolves. */
	private async retryingRaces<T>(attempt: () => Promise<T>): Promise<T> {
		for (let tries = 1; ; tries++) {
			try {
				return await attempt();
			} catch (error) {
				// A concurrent writer created the same dataset between our lookup and insert (its row is visible to
				// the next attempt), or the database broke a deadlock by aborting us.
				const lostRace = error instanceof DatabaseError && (error.uniqueViolation || error.retryable);
				if (!lostRace || tries >= 3) throw error;
			}
		}
	}

	private async insertDataset(executor: Executor, name: string, meta: JsonObject, session: boolean, now: Date): Promise<DatasetInfo> {
		// Callers found no dataset of exactly this name. One the database's collation equates with it (MySQL: "Foo"
		// for "foo") would make the unique index refuse the row with an error that names neither: say which.
		// (An exact match here was committed by a concurrent writer: the insert's unique violation retries.)
		const clash = (await executor.query('SELECT d."name" AS name FROM "dataset" d WHERE d."name" = ?', [name])).find(
			(row) => String(row.name) !== name,
		);
		if (clash) throw new DatasetExistsError(name, String(clash.name));
		const text = stringifyTask(meta);
		const created = unixSeconds(now);
		const [id] = await executor.insertReturningIds('dataset', ['name', 'created', 'meta', 'session'], [
			[name, created, this.dialect.blob(text), this.dialect.bool(session)],
		]);
		return { id, name, created, meta: toPlainJson(parseJsonLossless(text)) as JsonObject, session };
	}

	/** Which positions of `prepared` are duplicates of the dataset or of an earlier task in the batch. */
	private async findDuplicates(tx: Executor, datasetId: number, datasetCreated: boolean, prepared: PreparedTask[], mode: DedupeMode): Promise<boolean[]> {
		if (mode === 'none') return prepared.map(() => false);
		const column = mode === 'input' ? 'input_hash' : 'task_hash';
		const hashOf = (task: PreparedTask) => (mode === 'input' ? task.inputHash : task.taskHash);
		const seen = new Set<number>();
		if (!datasetCreated) {
			const wanted = [...new Set(prepared.map(hashOf))];
			const join = `SELECT DISTINCT e."${column}" AS hash FROM "link" l JOIN "example" e ON e."id" = l."example_id" WHERE l."dataset_id" = ?`;
			// One scan of the dataset either way (hashes are not indexed): a short IN list, or all its hashes.
			const rows =
				wanted.length <= IN_CHUNK
					? wanted.length === 0
						? []
						: await tx.query(`${join} AND e."${column}" IN (${placeholders(wanted.length)})`, [datasetId, ...wanted])
					: await tx.query(join, [datasetId]);
			for (const row of rows) seen.add(toInt(row.hash));
		}
		return prepared.map((task) => {
			const hash = hashOf(task);
			if (seen.has(hash)) return true;
			seen.add(hash);
			return false;
		});
	}

	/** Multi-row INSERTs of examples, split by row count, parameter limit and the statement byte budget. */
	private async insertExamples(tx: Executor, tasks: PreparedTask[], rowsPerInsert: number): Promise<number[]> {
		if (tasks.length === 0) return [];
		const columns = ['input_hash', 'task_hash', 'content'];
		const perStatement = Math.max(1, Math.min(rowsPerInsert, Math.floor(this.dialect.maxParams / columns.length)));
		const budget = await this.dialect.statementByteBudget(tx);
		const ids: number[] = [];
		let batch: SqlValue[][] = [];
		let bytes = 0;
		const flush = async () => {
			if (batch.length === 0) return;
			ids.push(...(await tx.insertReturningIds('example', columns, batch)));
			batch = [];
			bytes = 0;
		};
		for (const task of tasks) {
			if (batch.length >= perStatement || (batch.length > 0 && bytes + task.content.length > budget)) await flush();
			// The prepared bytes are bound as they are: every dialect binds a Buffer to its BLOB / BYTEA column.
			batch.push([task.inputHash, task.taskHash, task.content]);
			bytes += task.content.length;
		}
		await flush();
		return ids;
	}

	private async insertLinks(tx: Executor, links: Array<[number, number]>, rowsPerInsert: number): Promise<number[]> {
		const perStatement = Math.max(1, Math.min(rowsPerInsert, Math.floor(this.dialect.maxParams / 2)));
		const ids: number[] = [];
		for (const chunk of chunks(links, perStatement)) {
			ids.push(...(await tx.insertReturningIds('link', ['example_id', 'dataset_id'], chunk)));
		}
		return ids;
	}

	/**
	 * A dataset's links joined with their examples in id order, one page per round trip, resuming after the last id
	 * seen (keyset pagination: each page is found through the link indexes, memory is bounded by the page). Yields
	 * pages, which readers loop over synchronously: a generator of rows cost an export one more await per row.
	 */
	private async *scanLinkPages(executor: Executor, datasetId: number, options: ScanOptions): AsyncGenerator<LinkRow[]> {
		const columns = [
			'l."id" AS link_id',
			'l."example_id" AS example_id',
			'e."input_hash" AS input_hash',
			'e."task_hash" AS task_hash',
		];
		if (!options.withoutContent) columns.push('e."content" AS content');
		const selectParams: SqlValue[] = [];
		if (options.inSessionOf !== undefined) {
			columns.push(IN_SESSION_COLUMN);
			selectParams.push(options.inSessionOf);
		}
		if (options.withSessionDataset) {
			columns.push(
				'(SELECT MIN(s."dataset_id") FROM "link" s JOIN "dataset" sd ON sd."id" = s."dataset_id" ' +
					'WHERE s."example_id" = l."example_id" AND s."dataset_id" <> l."dataset_id" AND sd."session" = ?) AS session_dataset_id',
			);
			selectParams.push(this.dialect.bool(true));
		}
		let after = options.afterLinkId ?? 0;
		for (;;) {
			const { where, params } = linkRange(datasetId, { afterLinkId: after, upToLinkId: options.upToLinkId });
			const rows = await executor.queryPage(
				`SELECT ${columns.join(', ')} FROM "link" l JOIN "example" e ON e."id" = l."example_id" WHERE ${where} ORDER BY l."id" LIMIT ?`,
				[...selectParams, ...params, options.pageSize],
			);
			if (rows.length > 0) yield rows as unknown as LinkRow[];
			if (rows.length < options.pageSize) return;
			after = toInt(rows[rows.length - 1].link_id);
		}
	}

	/** What both example reads check first; null when the limit is 0 (nothing to read). */
	private async startRead(
		dataset: string,
		options: GetExamplesOptions,
	): Promise<{ found: DatasetInfo; pageSize: number; limit: number; filter?: ExampleFilter; inSessionOf?: number; lazyTask: boolean } | null> {
		const pageSize = positiveInt(options.pageSize, DEFAULT_PAGE_SIZE, 'Page size');
		const limit = limitOption(options.limit) ?? Number.POSITIVE_INFINITY;
		if (!(await this.hasSchema())) throw new DatasetNotFoundError(dataset);
		const found = await this.findDataset(this.dialect, dataset);
		if (!found) throw new DatasetNotFoundError(dataset);
		if (limit === 0) return null;
		const filter = taskFilter(options);
		// A session filter also matches examples linked to the session dataset, when there is one.
		const inSessionOf = options.session === undefined ? undefined : (await this.findDataset(this.dialect, options.session))?.id;
		// A filter reads every task: parsed at once then, once.
		const lazyTask = options.parseTasks === false && !filter;
		return { found, pageSize, limit, filter, inSessionOf, lazyTask };
	}
}
