import { Readable } from 'node:stream';

import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { DatasetNotFoundError } from '../../../../lib/errors';
import type { ExampleRecord } from '../../../../lib/store/types';
import { MAX_DEV_SHARE, validateDevShare } from '../../../../lib/training';
import { datasetLocator, forOperation, readDataset } from '../../../shared/descriptions';
import type { StoreRun } from '../../../shared/store';
import { exampleFilters, readFilters } from './filters';
import { CHUNK_BYTES, mimeType, planExport, TRAINING_FORMATS, type ExportFormat, type ExportProgress } from './exportPlan';
import { exportSplit } from './exportSplit';

const properties: INodeProperties[] = [
	datasetLocator(),
	{
		displayName: 'Export',
		name: 'exportPer',
		type: 'options',
		options: [
			{
				name: 'Once per Distinct Settings',
				value: 'settings',
				description:
					'Items that would export the same dataset with the same settings share one file: one output item, paired with all of them',
			},
			{ name: 'Once per Item', value: 'item', description: 'One file for every input item, even when they are all the same' },
		],
		default: 'settings',
		description: 'How many files to write when several items arrive, e.g. after a node that outputs many items',
		// Version 1 exported once per item; saved version-1 nodes keep that.
		displayOptions: { show: { '@version': [{ _cnd: { gte: 1.1 } }] } },
	},
	{
		displayName: 'Format',
		name: 'format',
		type: 'options',
		options: [
			{ name: 'JSON Lines (Prodigy)', value: 'jsonl', description: 'One stored example per line, exactly like "prodigy db-out"' },
			{ name: 'JSON Array (Prodigy)', value: 'json', description: 'One JSON array of all stored examples' },
			{
				name: 'Tokens With IOB2 Tags (NER)',
				value: 'tokens',
				description: 'One {"tokens", "ner_tags"} line per example, for Hugging Face token classification and most PyTorch / TensorFlow NER code',
			},
			{
				name: 'Text Classification',
				value: 'textcat',
				description: 'One {"text", "label"} line per example (or "labels" / spaCy\'s "cats")',
			},
		],
		default: 'jsonl',
		description: 'File format of the export. The two training formats keep accepted answers only and merge the answers to one input like "prodigy data-to-spacy".',
	},
	{
		displayName: 'Merge Answers per Input',
		name: 'mergePerInput',
		type: 'boolean',
		default: true,
		displayOptions: { show: { format: ['tokens', 'textcat'] } },
		description:
			'Whether all answers to the same input (same _input_hash) become one example: spans and labels of the accepted answers are united. Inputs whose answers disagree are left out and listed under "conflicts" for review.',
	},
	{
		displayName: 'Label Shape',
		name: 'textcatShape',
		type: 'options',
		displayOptions: { show: { format: ['textcat'] } },
		options: [
			{ name: 'Single Label', value: 'label', description: '{"text": ..., "label": "X"}; an example with several labels is an error' },
			{ name: 'Multi Label', value: 'labels', description: '{"text": ..., "labels": ["X", "Y"]}' },
			{ name: 'Cats (spaCy)', value: 'cats', description: '{"text": ..., "cats": {"X": 1.0, "Y": 0.0}}' },
		],
		default: 'label',
		description: 'How each line states its labels',
	},
	{
		displayName: 'Dev Share (%)',
		name: 'devShare',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: MAX_DEV_SHARE, numberPrecision: 2 },
		default: 0,
		displayOptions: { show: { format: ['jsonl', 'tokens', 'textcat'] } },
		description:
			'Share of inputs written to a second, dev file (0 for none). Each input\'s side is decided by its input hash, so it stays on the same side across versions and re-exports.',
	},
	{
		displayName: 'Put Output File in Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		description: 'The binary field of the output item that holds the file (the train file when there is a dev share)',
	},
	{
		displayName: 'Put Dev File in Field',
		name: 'devBinaryPropertyName',
		type: 'string',
		default: 'dev',
		required: true,
		displayOptions: { show: { format: ['jsonl', 'tokens', 'textcat'], devShare: [{ _cnd: { gt: 0 } }] } },
		description: 'The binary field of the output item that holds the dev file',
	},
	exampleFilters,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'File Name',
				name: 'fileName',
				type: 'string',
				default: '',
				placeholder: 'e.g. ner_news.jsonl',
				description: 'Name of the file; by default the dataset name with the format\'s extension',
			},
			{
				displayName: 'Version',
				name: 'version',
				type: 'string',
				default: '',
				placeholder: 'e.g. 3f9c2a71b0d4',
				description:
					'Export exactly this recorded dataset version (ID from Version Stamp, or its first 8+ characters); fails if the dataset changed destructively since. The same version always gives the same file.',
			},
			{
				displayName: 'Require Approval',
				name: 'requireApproval',
				type: 'boolean',
				default: false,
				description:
					'Whether to refuse the export unless the exported version (the Version above, or the data as it is now) was approved with the Approval Gate',
			},
		],
	},
];

export const description = forOperation('example', 'export', properties);

/**
 * The file as a stream of Buffers built from the store's iterator. Each example's content bytes are written as
 * stored (byte-exact with the database), never re-serialised; only one chunk and the store's page are in memory.
 */
export async function* exportChunks(
	records: AsyncIterable<ExampleRecord>,
	format: ExportFormat,
	progress: ExportProgress,
	onRecord?: (record: ExampleRecord) => void,
): AsyncGenerator<Buffer> {
	let pending: string[] = [];
	let pendingBytes = 0;
	const push = (text: string): Buffer | undefined => {
		pending.push(text);
		pendingBytes += Buffer.byteLength(text, 'utf8');
		if (pendingBytes < CHUNK_BYTES) return undefined;
		return flush();
	};
	const flush = (): Buffer => {
		const chunk = Buffer.from(pending.join(''), 'utf8');
		progress.byteSize += chunk.length;
		pending = [];
		pendingBytes = 0;
		return chunk;
	};
	if (format === 'json') push('[');
	for await (const record of records) {
		onRecord?.(record);
		const piece =
			format === 'jsonl' ? `${record.raw}\n` : `${progress.count === 0 ? '\n' : ',\n'}${record.raw}`;
		progress.count += 1;
		progress.minLinkId ??= record.linkId;
		progress.maxLinkId = record.linkId;
		const chunk = push(piece);
		if (chunk) yield chunk;
	}
	if (format === 'json') push(progress.count === 0 ? ']\n' : '\n]\n');
	if (pending.length > 0) yield flush();
}

// Everything an export of item i depends on; equal values give the same file.
const SETTINGS = ['dataset', 'format', 'mergePerInput', 'textcatShape', 'devShare', 'binaryPropertyName', 'devBinaryPropertyName', 'filters', 'options'];

function settingsKey(ctx: IExecuteFunctions, itemIndex: number): string {
	return JSON.stringify(SETTINGS.map((name) => ctx.getNodeParameter(name, itemIndex, null, { extractValue: name === 'dataset' })));
}

export async function execute(this: IExecuteFunctions, run: StoreRun): Promise<INodeExecutionData[]> {
	const perSettings = this.getNode().typeVersion >= 1.1 && this.getNodeParameter('exportPer', 0, 'settings') === 'settings';
	if (!perSettings) return await run.eachItem(async (i) => await exportItem.call(this, run, i));
	// The first item of each distinct set of settings exports; the others join its output item's pairedItem.
	const firstWith = new Map<string, number>();
	const sharedBy = new Map<number, number[]>();
	const output = await run.eachItem(async (i) => {
		const key = settingsKey(this, i);
		const first = firstWith.get(key);
		if (first !== undefined) {
			sharedBy.get(first)?.push(i);
			return [];
		}
		firstWith.set(key, i);
		sharedBy.set(i, [i]);
		return await exportItem.call(this, run, i);
	});
	for (const item of output) {
		const first = (item.pairedItem as { item: number }).item;
		const items = sharedBy.get(first) ?? [first];
		if (items.length > 1) item.pairedItem = items.map((index) => ({ item: index }));
	}
	return output;
}

async function exportItem(this: IExecuteFunctions, { store }: StoreRun, i: number): Promise<INodeExecutionData> {
	const dataset = readDataset(this, i);
	const format = this.getNodeParameter('format', i, 'jsonl') as ExportFormat;
	const binaryPropertyName = (this.getNodeParameter('binaryPropertyName', i, 'data') as string).trim() || 'data';
	const filters = readFilters(this.getNodeParameter('filters', i, {}) as IDataObject);
	const options = this.getNodeParameter('options', i, {}) as IDataObject;
	const training = TRAINING_FORMATS.includes(format);
	const extension = training ? `${format}.jsonl` : format;
	const fileName = (typeof options.fileName === 'string' && options.fileName.trim()) || `${dataset}.${extension}`;
	const devShare = format === 'json' ? 0 : validateDevShare(Number(this.getNodeParameter('devShare', i, 0)));

	// Checked first so an unknown name fails with a clear message, not from inside the stream.
	if (!(await store.getDataset(dataset))) throw new DatasetNotFoundError(dataset);
	const plan = await planExport.call(this, store, { dataset, filters, options, itemIndex: i });
	const progress: ExportProgress = { count: 0, byteSize: 0, minLinkId: null, maxLinkId: null };
	if (!training && devShare === 0) {
		// The stored bytes are written as they are: no task is parsed unless a filter needs it.
		const records = store.getExamples(dataset, { ...plan.query, parseTasks: false });
		const stream = Readable.from(exportChunks(records, format, progress, plan.onRecord));
		// With n8n's filesystem / S3 binary mode the stream goes to storage chunk by chunk; in the default
		// in-memory mode n8n itself gathers the file into one Buffer (never the examples as objects).
		const binary = await this.helpers.prepareBinaryData(stream, fileName, mimeType(format));
		const extra = plan.finish ? await plan.finish() : {};
		return {
			json: { dataset, format, fileName, ...progress, ...extra },
			binary: { [binaryPropertyName]: binary },
		};
	}

	return await exportSplit.call(this, store, { dataset, format, fileName, binaryPropertyName, devShare, plan, progress, itemIndex: i });
}
