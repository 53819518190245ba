import { Readable } from 'node:stream';

import type { IBinaryData, IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { DatasetNotFoundError, ProdigyInputError } from '../../../../lib/errors';
import type { ExampleRecord, ProdigyStore } from '../../../../lib/store/types';
import {
	emptyTrainingSummary,
	MAX_DEV_SHARE,
	storedLines,
	trainingLines,
	validateDevShare,
	type TextcatShape,
	type TrainingFormat,
} from '../../../../lib/training';
import { datasetLocator, forOperation } from '../../../shared/descriptions';
import { mapItems } from '../../../shared/items';
import { readDataset } from '../common';
import { sideFileName, sideFiles } from '../../../../lib/exportFiles';
import { exampleFilters, readFilters } from './filters';
import { planExport } from './exportPlan';

export type ExportFormat = 'jsonl' | 'json' | TrainingFormat;

const TRAINING_FORMATS: readonly ExportFormat[] = ['tokens', 'textcat'];

const properties: INodeProperties[] = [
	datasetLocator(),
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

/** Every format but the JSON array is JSON Lines. */
function mimeType(format: ExportFormat): string {
	return format === 'json' ? 'application/json' : 'application/jsonl';
}

/** Bytes gathered before a chunk goes to the stream: big enough to keep the stream cheap, small next to memory. */
const CHUNK_BYTES = 256 * 1024;

export interface ExportProgress {
	count: number;
	byteSize: number;
	minLinkId: number | null;
	maxLinkId: number | null;
}

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

/** Counts and link range of the answers read, and the plan's check of each (export as of a version). */
async function* observed(records: AsyncIterable<ExampleRecord>, progress: ExportProgress, onRecord?: (record: ExampleRecord) => void) {
	for await (const record of records) {
		onRecord?.(record);
		progress.count++;
		progress.minLinkId = Math.min(progress.minLinkId ?? record.linkId, record.linkId);
		progress.maxLinkId = Math.max(progress.maxLinkId ?? record.linkId, record.linkId);
		yield record;
	}
}

export async function execute(this: IExecuteFunctions, store: ProdigyStore): Promise<INodeExecutionData[]> {
	return await mapItems(this, async (i) => {
		const dataset = readDataset(this, i);
		const format = this.getNodeParameter('format', i, 'jsonl') as ExportFormat;
		const binaryPropertyName = (this.getNodeParameter('binaryPropertyName', i, 'data') as string).trim() || 'data';
		const filters = readFilters(this.getNodeParameter('filters', i, {}) as IDataObject);
		const options = this.getNodeParameter('options', i, {}) as IDataObject;
		const training = TRAINING_FORMATS.includes(format);
		const extension = training ? `${format}.jsonl` : format;
		const fileName = (typeof options.fileName === 'string' && options.fileName.trim()) || `${dataset}.${extension}`;
		const devShare = format === 'json' ? 0 : validateDevShare(this.getNodeParameter('devShare', i, 0) as number);

		// Checked first so an unknown name fails with a clear message, not from inside the stream.
		if (!(await store.getDataset(dataset))) throw new DatasetNotFoundError(dataset);
		const plan = await planExport.call(this, store, { dataset, filters, options, itemIndex: i });
		const progress: ExportProgress = { count: 0, byteSize: 0, minLinkId: null, maxLinkId: null };
		if (!training && devShare === 0) {
			const stream = Readable.from(exportChunks(store.getExamples(dataset, plan.query), format, progress, plan.onRecord));
			// With n8n's filesystem / S3 binary mode the stream goes to storage chunk by chunk; in the default
			// in-memory mode n8n itself gathers the file into one Buffer (never the examples as objects).
			const binary = await this.helpers.prepareBinaryData(stream, fileName, mimeType(format));
			const extra = plan.finish ? await plan.finish() : {};
			return {
				json: { dataset, format, fileName, ...progress, ...extra },
				binary: { [binaryPropertyName]: binary },
			};
		}

		const split = devShare > 0;
		const devBinaryPropertyName = split ? (this.getNodeParameter('devBinaryPropertyName', i, 'dev') as string).trim() || 'dev' : '';
		if (split && devBinaryPropertyName === binaryPropertyName) {
			throw new ProdigyInputError(`The train and dev files cannot both go to the binary field "${binaryPropertyName}"`, {
				hint: 'Choose another name in "Put Dev File in Field".',
			});
		}
		const merge = training && (this.getNodeParameter('mergePerInput', i, true) as boolean);
		// Merging needs all answers to one input together: read ordered by input hash instead of link id.
		const records = observed(merge ? store.getExamplesByInput(dataset, plan.query) : store.getExamples(dataset, plan.query), progress, plan.onRecord);
		const summary = emptyTrainingSummary();
		const lines = training
			? trainingLines(
					records,
					{ format: format as TrainingFormat, merge, devShare, textcatShape: this.getNodeParameter('textcatShape', i, 'label') as TextcatShape },
					summary,
				)
			: storedLines(records, devShare, summary);
		const files = sideFiles(lines, split, CHUNK_BYTES);
		const names = split ? { train: sideFileName(fileName, 'train'), dev: sideFileName(fileName, 'dev') } : { train: fileName, dev: '' };
		const stored = [
			this.helpers.prepareBinaryData(files.train, names.train, mimeType(format)),
			...(files.dev ? [this.helpers.prepareBinaryData(files.dev, names.dev, mimeType(format))] : []),
		].map((binary) =>
			binary.catch((error: unknown) => {
				// Storing one file failed: stop the producer (and so the read) instead of leaving it waiting.
				files.train.destroy(error as Error);
				files.dev?.destroy(error as Error);
				throw error;
			}),
		);
		// The producer's error first: it says which example was wrong; the streams only echo it.
		const [produced, ...binaries] = await Promise.allSettled([files.done, ...stored]);
		if (produced.status === 'rejected') throw produced.reason;
		for (const binary of binaries) if (binary.status === 'rejected') throw binary.reason;
		const [trainBinary, devBinary] = binaries.map((binary) => (binary as PromiseFulfilledResult<IBinaryData>).value);
		const extra = plan.finish ? await plan.finish() : {};

		const side = (which: 'train' | 'dev') => ({ fileName: names[which], ...summary[which], byteSize: files.bytes[which] });
		const json: IDataObject = {
			dataset,
			format,
			fileName: names.train,
			count: summary.train.examples + summary.dev.examples,
			byteSize: files.bytes.train + files.bytes.dev,
			answers: progress.count,
			minLinkId: progress.minLinkId,
			maxLinkId: progress.maxLinkId,
			devShare,
			train: side('train'),
			...(split ? { dev: side('dev') } : {}),
		};
		if (training) {
			Object.assign(json, {
				merged: merge,
				withoutAcceptedAnswer: summary.withoutAcceptedAnswer,
				withoutLine: summary.withoutLine,
				whitespaceTokenized: summary.whitespaceTokenized,
				conflictCount: summary.conflictCount,
				conflicts: summary.conflicts as unknown as IDataObject[],
			});
			if (summary.conflictCount > summary.conflicts.length) json.conflictsListed = summary.conflicts.length;
			if (summary.whitespaceTokenized > 0) {
				json.notice = `${summary.whitespaceTokenized} example(s) had no "tokens": their text was split on whitespace`;
			}
		}
		return {
			json: { ...json, ...extra },
			binary: { [binaryPropertyName]: trainBinary, ...(devBinary ? { [devBinaryPropertyName]: devBinary } : {}) },
		};
	});
}
