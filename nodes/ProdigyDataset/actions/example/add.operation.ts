import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { validateDatasetName } from '../../../../lib/datasets';
import { CommitOutcomeUnknownError, InvalidTaskError } from '../../../../lib/errors';
import { parseTasksFile, setOwn, toPlainJson } from '../../../../lib/json';
import type { DedupeMode, JsonObject, WriteExamplesOptions } from '../../../../lib/store/types';
import {
	buildTask,
	decodeTasksFile,
	hashOptionsFor,
	locateError,
	parseKeyList,
	prepareTask,
	taskLocations,
	type Answer,
	type ContentField,
	type HashPreset,
	type MetaRules,
	type PreparedTask,
	type PrepareOptions,
} from '../../../../lib/tasks';
import { readDataset } from '../../../shared/descriptions';
import type { BatchPlan, ItemStop } from '../../../shared/items';
import type { StoreRun } from '../../../shared/store';

export { description } from './add.description';

type InputMode = 'json' | 'fields' | 'file';

/** One input item's tasks, ready to write; `entries` are its tasks, `group` the options that must match to share a write. */
interface PreparedItem extends BatchPlan<PreparedTask> {
	dataset: string;
	write: WriteExamplesOptions;
	includeTask: boolean;
	/** The attached file's name and each task's place in it ("line 3"), when the tasks come from a file. */
	file?: { name: string; locations: string[] };
}

function fieldPairs(collection: unknown): JsonObject {
	const fields = (collection as { field?: Array<{ name?: string; value?: unknown }> } | undefined)?.field ?? [];
	const result: JsonObject = {};
	for (const { name, value } of fields) {
		// setOwn: a field named __proto__ is a key like any other (Prodigy stores it), not the object's prototype.
		if (typeof name === 'string' && name.trim() !== '') setOwn(result, name.trim(), value ?? '');
	}
	return result;
}

function prepareOptions(options: IDataObject, contentLimit: number | null): PrepareOptions {
	const meta: MetaRules = {
		source: typeof options.source === 'string' ? options.source : undefined,
		region: typeof options.region === 'string' ? options.region : undefined,
		fields: fieldPairs(options.fixedMeta),
		precedence: options.metaPrecedence === 'node' ? 'node' : 'task',
	};
	return {
		contentLimit,
		hashOptions: hashOptionsFor((options.hashPreset as HashPreset | undefined) ?? 'default', options.overwriteHashes === true, {
			inputKeys: parseKeyList(String(options.inputKeys ?? '')),
			taskKeys: parseKeyList(String(options.taskKeys ?? '')),
		}),
		defaultAnswer: options.defaultAnswer === 'accept' ? ('accept' as Answer) : undefined,
		meta,
	};
}

/** Skip Duplicates: a top-level parameter defaulting to Same Question from version 1.1, an option defaulting to No before. */
function readDedupe(ctx: IExecuteFunctions, itemIndex: number, options: IDataObject): DedupeMode {
	if (ctx.getNode().typeVersion >= 1.1) return ctx.getNodeParameter('dedupe', itemIndex, 'task') as DedupeMode;
	return (options.dedupe as DedupeMode | undefined) ?? 'none';
}

/** Reads and validates everything of one item; throws an input error (nothing written) on the first problem. */
async function prepareItem(
	ctx: IExecuteFunctions,
	itemIndex: number,
	startedAt: Date,
	contentLimit: number | null,
): Promise<PreparedItem> {
	const dataset = readDataset(ctx, itemIndex);
	validateDatasetName(dataset);
	const mode = ctx.getNodeParameter('inputMode', itemIndex, 'json') as InputMode;
	const options = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const prepare = prepareOptions(options, contentLimit);

	let raw: unknown[];
	let file: PreparedItem['file'];
	if (mode === 'file') {
		const property = ctx.getNodeParameter('binaryPropertyName', itemIndex, 'data') as string;
		const binary = ctx.helpers.assertBinaryData(itemIndex, property);
		const fileName = binary.fileName ?? property;
		const text = decodeTasksFile(await ctx.helpers.getBinaryDataBuffer(itemIndex, property), fileName);
		try {
			raw = parseTasksFile(text);
		} catch (error) {
			throw locateError(error, fileName);
		}
		file = { name: fileName, locations: taskLocations(text, raw.length) };
	} else if (mode === 'fields') {
		raw = [
			buildTask({
				contentField: ctx.getNodeParameter('contentField', itemIndex, 'text') as ContentField,
				content: ctx.getNodeParameter('content', itemIndex, ''),
				label: ctx.getNodeParameter('label', itemIndex, '') as string,
				spans: ctx.getNodeParameter('spans', itemIndex, ''),
				options: ctx.getNodeParameter('choices', itemIndex, ''),
				meta: fieldPairs(ctx.getNodeParameter('metaFields', itemIndex, {})),
			}),
		];
	} else {
		// A deep copy: the input item must stay as it is for other branches of the workflow.
		raw = [structuredClone(ctx.getInputData()[itemIndex].json)];
	}

	const tasks = raw.map((value, index) => {
		try {
			return prepareTask(value, prepare);
		} catch (error) {
			throw file ? locateError(error, `${file.name} ${file.locations[index] ?? `task ${index + 1}`}`) : error;
		}
	});
	if (tasks.length === 0) {
		throw new InvalidTaskError('The file holds no tasks', { hint: 'Check that the right file is attached.' });
	}

	let session: WriteExamplesOptions['session'];
	if (options.session === 'timestamped') session = true;
	if (options.session === 'named') {
		const name = String(options.sessionName ?? '').trim();
		if (!name) throw new InvalidTaskError('Session Name is empty', { hint: 'Give the session a name, e.g. alex.' });
		session = name;
	}
	const write: WriteExamplesOptions = {
		session,
		dedupe: readDedupe(ctx, itemIndex, options),
		// The output says of every task whether the dataset already held it, skipped or not.
		reportDuplicates: true,
		createDataset: options.createDataset !== false,
		// One clock for the whole run, so every batch of a timestamped session lands in the same session dataset.
		now: startedAt,
	};
	return {
		dataset,
		entries: tasks,
		write,
		group: JSON.stringify([dataset, write.session ?? null, write.dedupe, write.createDataset]),
		includeTask: options.includeTask === true,
		// The option is named Batch Size in the editor (and in saved workflows); it means tasks per transaction.
		perBatch: Math.max(1, Math.floor(Number(options.batchSize) || 500)),
		file,
	};
}

const DEDUPE_LABEL: Record<Exclude<DedupeMode, 'none'>, string> = { input: 'Same Input', task: 'Same Question' };

/** "tasks 3-6 of a.jsonl", "task 3 of a.jsonl", or without a file "the task" (an item that is not a file is one task). */
function taskRange(item: PreparedItem, first: number, last: number, withFile: boolean): string {
	if (!item.file) return 'the task';
	const tasks = first === last ? `task ${first}` : `tasks ${first}-${last}`;
	// A JSONL file's blank lines make task numbers and line numbers differ: say where the range starts.
	const location = item.file.locations[first - 1];
	const line = location?.startsWith('line ') && location !== `line ${first}` ? ` (from ${location})` : '';
	return `${tasks}${withFile ? ` of ${item.file.name}` : ''}${line}`;
}

/**
 * What a failed batch left of an item, and how to finish it: its first `written` tasks are saved, the failed
 * batch's tasks are not (or, when the connection broke during COMMIT and could not be checked, unknown), and no
 * later task of the item was written. Running the same input again with Skip Duplicates adds each missing task
 * once, whatever the failed batch did.
 */
function stopNote(item: PreparedItem, { error, written, inFailedBatch, total }: ItemStop): string | undefined {
	const unknown = error instanceof CommitOutcomeUnknownError;
	// Nothing of the item is in the database: the error alone says it, and running again is safe as it is.
	if (written === 0 && !unknown) return undefined;
	const parts: string[] = [];
	if (written > 0) parts.push(`${taskRange(item, 1, written, true)} ${written === 1 ? 'was' : 'were'} saved`);
	let next = written + 1;
	if (unknown) {
		const last = written + inFailedBatch;
		parts.push(`whether ${taskRange(item, next, last, parts.length === 0)} ${inFailedBatch === 1 ? 'was' : 'were'} saved is unknown`);
		next = last + 1;
	}
	if (next <= total) parts.push(`${taskRange(item, next, total, parts.length === 0)} ${next === total ? 'was' : 'were'} not`);
	const rest = item.file ? 'the rest' : 'it';
	const dedupe = item.write.dedupe ?? 'none';
	const finish =
		dedupe === 'none'
			? `run again with Skip Duplicates: Same Question to add ${rest} once`
			: `running again adds ${rest} once (Skip Duplicates: ${DEDUPE_LABEL[dedupe]} skips what was saved)`;
	return `${parts.join(', ')}; ${finish}`;
}

/**
 * Example → Add. Every item is validated before anything is written, so without continue-on-fail a bad item stops
 * the run with nothing saved; with it, a bad item gets `{ error }` and the others are saved. Valid tasks go to the
 * store in batches (one transaction each), so dedupe against earlier batches works. A failed batch stops its items:
 * their tasks saved so far stay in the output, then an error saying which were saved and how to add the rest.
 */
export async function execute(this: IExecuteFunctions, { store, eachItemInBatches }: StoreRun): Promise<INodeExecutionData[]> {
	const startedAt = new Date();
	// The real column's limit (a MySQL content column widened to LONGBLOB holds more than BLOB's 65,535 bytes),
	// read once; asked inside the item loop so that a database that cannot be reached is an item's error.
	let contentLimit: Promise<number | null> | undefined;
	return await eachItemInBatches<PreparedItem, PreparedTask, IDataObject>({
		prepare: async (itemIndex) => {
			contentLimit ??= store.contentLimit();
			return await prepareItem(this, itemIndex, startedAt, await contentLimit);
		},
		// Items with the same dataset and write options share batches; the first of them gives the write options.
		write: async (batch) => {
			const { item: first } = batch[0];
			const result = await store.writeExamples(first.dataset, batch.map(({ entry }) => entry), first.write);
			return result.examples.map((added, index) => {
				const json: IDataObject = {
					dataset: result.dataset,
					example_id: added.exampleId,
					link_id: added.linkId,
					_input_hash: added.inputHash,
					_task_hash: added.taskHash,
					duplicate: added.duplicate,
					skipped: added.skipped,
				};
				if (result.sessionDataset) json.session_dataset = result.sessionDataset;
				if (batch[index].item.includeTask) json.task = toPlainJson(added.task) as IDataObject;
				return json;
			});
		},
		// One output item per task, each with its ids and whether the dataset already held it.
		output: (_item, results) => results,
		// The tasks earlier batches saved stay in the output, so the output never hides a write.
		stopped: (item, results, stop) => ({ note: stopNote(item, stop), output: results.length ? results : undefined }),
	});
}
