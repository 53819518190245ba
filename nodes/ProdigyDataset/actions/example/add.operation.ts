import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { planBatches } from '../../../../lib/batches';
import { validateDatasetName } from '../../../../lib/datasets';
import { CommitOutcomeUnknownError, InvalidTaskError } from '../../../../lib/errors';
import { parseTasksFile, toPlainJson } from '../../../../lib/json';
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
import { forOperation, newDatasetLocator, readDataset } from '../../../shared/descriptions';
import { errorItem } from '../../../shared/items';
import type { StoreRun } from '../../../shared/store';
import { skipDuplicatesOption } from '../common';

type InputMode = 'json' | 'fields' | 'file';

const properties: INodeProperties[] = [
	newDatasetLocator({ description: 'The dataset to add the examples to; created when it does not exist yet (like "prodigy db-in")' }),
	{
		// From version 1.1 on the panel shows it and a second press of Execute adds nothing: the tasks it would add
		// again are the same questions (same task hash), skipped and output with skipped: true.
		...skipDuplicatesOption('tasks', 'the dataset', 'task'),
		displayOptions: { show: { '@version': [{ _cnd: { gte: 1.1 } }] } },
	},
	{
		displayName: 'Input',
		name: 'inputMode',
		type: 'options',
		options: [
			{
				name: 'Whole Item',
				value: 'json',
				description: 'Each item is one Prodigy task as it is, e.g. {"text": "...", "meta": {...}}',
			},
			{
				name: 'Mapped Fields',
				value: 'fields',
				description: 'Build one task per item from fields you map below',
			},
			{
				name: 'File (JSONL or JSON)',
				value: 'file',
				description: 'Read every task from a JSONL or JSON file attached to the item',
			},
		],
		default: 'json',
		description: 'Where the tasks come from',
	},
	{
		// Only where it matters: a file is read losslessly, n8n items are not.
		displayName:
			'n8n turns a number written 10.0 into 10. Prodigy\'s duplicate check tells them apart, so if the spans or options of your tasks hold numbers like that, add the tasks from a JSONL file (Input: File) to match Prodigy exactly.',
		name: 'wholeNumberNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { inputMode: ['json', 'fields'] } },
	},
	{
		displayName: 'Content Field',
		name: 'contentField',
		type: 'options',
		options: [
			{ name: 'HTML', value: 'html', description: 'HTML to show (Prodigy\'s "html" field)' },
			{ name: 'Image', value: 'image', description: 'Image URL or data URI' },
			{ name: 'Input', value: 'input', description: 'Any other input (Prodigy\'s "input" field)' },
			{ name: 'Text', value: 'text', description: 'Text to annotate' },
		],
		default: 'text',
		description: 'What kind of content the task shows annotators',
		displayOptions: { show: { inputMode: ['fields'] } },
	},
	{
		displayName: 'Content',
		name: 'content',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		required: true,
		placeholder: 'e.g. {{ $json.body }}',
		description: 'The text, image URL or HTML annotators see; usually an expression pointing at a field of the item',
		displayOptions: { show: { inputMode: ['fields'] } },
	},
	{
		displayName: 'Label',
		name: 'label',
		type: 'string',
		default: '',
		placeholder: 'e.g. COMPLAINT',
		description: 'Label to accept or reject, for yes/no (binary) annotation; leave empty for none',
		displayOptions: { show: { inputMode: ['fields'] } },
	},
	{
		displayName: 'Spans (JSON)',
		name: 'spans',
		type: 'json',
		default: '',
		placeholder: '[{"start": 0, "end": 5, "label": "ORG"}]',
		description: 'Pre-highlighted entities or model suggestions as a JSON array; leave empty for none',
		displayOptions: { show: { inputMode: ['fields'] } },
	},
	{
		displayName: 'Choice Options (JSON)',
		name: 'choices',
		type: 'json',
		default: '',
		description: 'Answer choices for multiple-choice annotation (Prodigy\'s "options"), as a JSON array. Leave empty for none.',
		hint: 'Each choice is an object such as {"id": "urgent", "text": "Urgent"}',
		displayOptions: { show: { inputMode: ['fields'] } },
	},
	{
		displayName: 'Meta Fields',
		name: 'metaFields',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Meta Field',
		default: {},
		description: 'Fields shown to annotators below the task (Prodigy\'s "meta"), e.g. the ticket ID',
		displayOptions: { show: { inputMode: ['fields'] } },
		options: [
			{
				displayName: 'Field',
				name: 'field',
				values: [
					{
						displayName: 'Name',
						name: 'name',
						type: 'string',
						default: '',
						placeholder: 'e.g. ticketId',
						description: 'Name of the meta field as annotators see it',
					},
					{
						displayName: 'Value',
						name: 'value',
						type: 'string',
						default: '',
						placeholder: 'e.g. {{ $json.ticket }}',
						description: 'Value of the meta field, usually an expression pointing at the item',
					},
				],
			},
		],
	},
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		description: 'The binary field of the item that holds the JSONL or JSON file (e.g. from Read File or HTTP Request)',
		displayOptions: { show: { inputMode: ['file'] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Batch Size',
				name: 'batchSize',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 500,
				description: 'Tasks written per database transaction: each batch is saved completely or not at all',
			},
			{
				displayName: 'Create Dataset If Missing',
				name: 'createDataset',
				type: 'boolean',
				default: true,
				description: 'Whether to create the dataset when it does not exist yet (like "prodigy db-in")',
			},
			{
				displayName: 'Custom Input Keys',
				name: 'inputKeys',
				type: 'string',
				default: 'text, image, html, input',
				description: 'Fields that identify the input, separated by commas (used with Hash Keys: Custom)',
				displayOptions: { show: { hashPreset: ['custom'] } },
			},
			{
				displayName: 'Custom Task Keys',
				name: 'taskKeys',
				type: 'string',
				default: 'spans, label, options, arcs',
				description: 'Fields that identify the question asked about the input, separated by commas (used with Hash Keys: Custom)',
				displayOptions: { show: { hashPreset: ['custom'] } },
			},
			{
				displayName: 'Default Answer',
				name: 'defaultAnswer',
				type: 'options',
				options: [
					{ name: 'None', value: 'none', description: 'Tasks without an answer stay unanswered (to be annotated)' },
					{ name: 'Accept', value: 'accept', description: 'Tasks without an answer count as accepted, like "prodigy db-in"' },
				],
				default: 'none',
				description: 'The answer given to tasks that have none',
			},
			{
				displayName: 'Fixed Meta Fields',
				name: 'fixedMeta',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true },
				placeholder: 'Add Field',
				default: {},
				description: 'Fields added to every task\'s meta, e.g. the batch or customer',
				options: [
					{
						displayName: 'Field',
						name: 'field',
						values: [
							{ displayName: 'Name', name: 'name', type: 'string', default: '', description: 'Name of the meta field' },
							{ displayName: 'Value', name: 'value', type: 'string', default: '', description: 'Value written to every task' },
						],
					},
				],
			},
			{
				displayName: 'Hash Keys',
				name: 'hashPreset',
				type: 'options',
				options: [
					{
						name: 'Custom',
						value: 'custom',
						description: 'Choose the fields yourself',
					},
					{
						name: 'Prodigy Default',
						value: 'default',
						description: 'Input: text, image, html, input. Question: spans, label, options, arcs.',
					},
					{
						name: 'Review Recipe',
						value: 'review',
						description: 'The keys Prodigy\'s review recipe uses, so answers to the same question group together',
					},
				],
				default: 'default',
				description: 'Which fields decide the hashes Prodigy uses to recognise the same input and the same question',
			},
			{
				displayName: 'Meta Precedence',
				name: 'metaPrecedence',
				type: 'options',
				options: [
					{ name: 'Keep Task Values', value: 'task', description: 'A meta field the task already has is kept' },
					{ name: 'Use Node Values', value: 'node', description: 'Source, Region and Fixed Meta Fields overwrite the task\'s own' },
				],
				default: 'task',
				description: 'Which value wins when a task\'s meta already has a field the node sets',
			},
			{
				displayName: 'Output Stored Task',
				name: 'includeTask',
				type: 'boolean',
				default: false,
				description: 'Whether to include the task exactly as saved (with hashes, meta and answer) under "task" in each output item',
			},
			{
				displayName: 'Recompute Hashes',
				name: 'overwriteHashes',
				type: 'boolean',
				default: false,
				description:
					'Whether to recompute _input_hash and _task_hash even when a task carries them (off: carried hashes are kept, as Prodigy does)',
			},
			{
				displayName: 'Region',
				name: 'region',
				type: 'string',
				default: '',
				placeholder: 'e.g. eu-west',
				description: 'Written to every task\'s meta as "region"',
			},
			{
				displayName: 'Session',
				name: 'session',
				type: 'options',
				options: [
					{ name: 'None', value: 'none', description: 'Only link examples to the dataset' },
					{
						name: 'Timestamped',
						value: 'timestamped',
						description: 'Also link them to a session dataset named by the start time, like "prodigy db-in"',
					},
					{
						name: 'Named',
						value: 'named',
						description: 'Also link them to the session dataset &lt;dataset&gt;-&lt;name&gt;, as an annotator session would',
					},
				],
				default: 'none',
				description: 'Whether the examples also go into a session dataset, as if they came from an annotation session',
			},
			{
				displayName: 'Session Name',
				name: 'sessionName',
				type: 'string',
				default: '',
				placeholder: 'e.g. alex',
				description: 'Name of the session (used with Session: Named); the session dataset is &lt;dataset&gt;-&lt;name&gt;',
				displayOptions: { show: { session: ['named'] } },
			},
			{
				// Version 1 kept it here with "No" as the default; saved version-1 nodes keep that meaning.
				...skipDuplicatesOption('tasks', 'the dataset', 'none'),
				displayOptions: { show: { '@version': [1] } },
			},
			{
				displayName: 'Source',
				name: 'source',
				type: 'string',
				default: '',
				placeholder: 'e.g. zendesk',
				description: 'Written to every task\'s meta as "source" (where the task came from)',
			},
		],
	},
];

export const description = forOperation('example', 'add', properties);

/** One input item's tasks, ready to write. */
interface PreparedItem {
	itemIndex: number;
	dataset: string;
	tasks: PreparedTask[];
	/** Options that must be equal for items to share a write. */
	write: WriteExamplesOptions;
	writeKey: string;
	includeTask: boolean;
	/** The item's Batch Size option: tasks per transaction. */
	tasksPerTransaction: number;
}

function fieldPairs(collection: unknown): JsonObject {
	const fields = (collection as { field?: Array<{ name?: string; value?: unknown }> } | undefined)?.field ?? [];
	const result: JsonObject = {};
	for (const { name, value } of fields) {
		if (typeof name === 'string' && name.trim() !== '') result[name.trim()] = value ?? '';
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
	let locations: string[] | undefined;
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
		const where = taskLocations(text, raw.length);
		locations = where.map((location) => `${fileName} ${location}`);
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
			throw locations ? locateError(error, locations[index] ?? `task ${index + 1}`) : error;
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
		itemIndex,
		dataset,
		tasks,
		write,
		writeKey: JSON.stringify([dataset, write.session ?? null, write.dedupe, write.createDataset]),
		includeTask: options.includeTask === true,
		// The option is named Batch Size in the editor (and in saved workflows); it means tasks per transaction.
		tasksPerTransaction: Math.max(1, Math.floor(Number(options.batchSize) || 500)),
	};
}

/**
 * Example → Add. Every item is validated before anything is written, so without continue-on-fail a bad item stops
 * the run with nothing saved; with it, a bad item gets `{ error }` and the others are saved. Valid tasks go to the
 * store in batches (one transaction each), so dedupe against earlier batches works.
 */
export async function execute(this: IExecuteFunctions, { store, nodeError: toError }: StoreRun): Promise<INodeExecutionData[]> {
	const items = this.getInputData();
	const continueOnFail = this.continueOnFail();
	const startedAt = new Date();
	const outputs: INodeExecutionData[][] = items.map(() => []);
	const prepared: PreparedItem[] = [];
	// The real column's limit (a MySQL content column widened to LONGBLOB holds more than BLOB's 65,535 bytes),
	// read once; asked inside the item loop so that a database that cannot be reached is an item's error.
	let contentLimit: Promise<number | null> | undefined;

	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			contentLimit ??= store.contentLimit();
			prepared.push(await prepareItem(this, itemIndex, startedAt, await contentLimit));
		} catch (error) {
			const nodeError = toError(error, itemIndex);
			if (!continueOnFail) throw nodeError;
			outputs[itemIndex] = [errorItem(nodeError.message, itemIndex)];
		}
	}

	// Items with the same dataset and write options share batches (one transaction each); their order is kept.
	const entries = prepared.flatMap((item) => item.tasks.map((task) => ({ item, task })));
	for (const batch of planBatches(entries, (entry) => entry.item.writeKey, (entry) => entry.item.tasksPerTransaction)) {
		const { item: first } = batch[0];
		try {
			const result = await store.writeExamples(first.dataset, batch.map((entry) => entry.task), first.write);
			result.examples.forEach((added, index) => {
				const { item } = batch[index];
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
				if (item.includeTask) json.task = toPlainJson(added.task) as IDataObject;
				outputs[item.itemIndex].push({ json, pairedItem: { item: item.itemIndex } });
			});
		} catch (error) {
			const failed = [...new Set(batch.map((entry) => entry.item.itemIndex))];
			const nodeError = toError(error, failed[0]);
			if (!continueOnFail) throw nodeError;
			// The batch was one transaction, so none of its tasks were saved — unless the connection broke while
			// COMMIT was on its way and the store could not check (CommitOutcomeUnknownError): then all or none
			// were, and the note must not claim either. An item (a file) that spans batches keeps the outputs of
			// its tasks that earlier batches did save, so the output never hides a write.
			const unknown = error instanceof CommitOutcomeUnknownError;
			for (const itemIndex of failed) {
				const saved = outputs[itemIndex].length;
				const inBatch = batch.filter((entry) => entry.item.itemIndex === itemIndex).length;
				const notes: string[] = [];
				if (saved) notes.push(`${saved} earlier task${saved === 1 ? ' of this item was' : 's of this item were'} saved`);
				if (unknown) notes.push(`whether its next ${inBatch} task${inBatch === 1 ? ' was' : 's were'} saved is unknown`);
				const note = notes.length ? ` (${notes.join('; ')})` : '';
				outputs[itemIndex].push(errorItem(`${nodeError.message}${note}`, itemIndex));
			}
		}
	}
	return outputs.flat();
}
