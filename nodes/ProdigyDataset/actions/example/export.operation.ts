import { Readable } from 'node:stream';

import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { DatasetNotFoundError } from '../../../../lib/errors';
import type { ExampleRecord } from '../../../../lib/store/types';
import { datasetLocator, forOperation, readDataset } from '../../../shared/descriptions';
import type { StoreRun } from '../../../shared/store';
import { exampleFilters, readFilters } from './filters';
import { planExport } from './exportPlan';

export type ExportFormat = 'jsonl' | 'json';

const properties: INodeProperties[] = [
	datasetLocator(),
	{
		displayName: 'Format',
		name: 'format',
		type: 'options',
		options: [
			{ name: 'JSON Lines', value: 'jsonl', description: 'One example per line, like "prodigy db-out" (for training)' },
			{ name: 'JSON Array', value: 'json', description: 'One JSON array of all examples (JSON)' },
		],
		default: 'jsonl',
		description: 'File format of the export',
	},
	{
		displayName: 'Put Output File in Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		description: 'The binary field of the output item that holds the file',
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

const MIME_TYPES: Record<ExportFormat, string> = { jsonl: 'application/jsonl', json: 'application/json' };

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

export async function execute(this: IExecuteFunctions, { store, eachItem }: StoreRun): Promise<INodeExecutionData[]> {
	return await eachItem(async (i) => {
		const dataset = readDataset(this, i);
		const format = this.getNodeParameter('format', i, 'jsonl') as ExportFormat;
		const binaryPropertyName = (this.getNodeParameter('binaryPropertyName', i, 'data') as string).trim() || 'data';
		const filters = readFilters(this.getNodeParameter('filters', i, {}) as IDataObject);
		const options = this.getNodeParameter('options', i, {}) as IDataObject;
		const fileName = (typeof options.fileName === 'string' && options.fileName.trim()) || `${dataset}.${format}`;

		// Checked first so an unknown name fails with a clear message, not from inside the stream.
		if (!(await store.getDataset(dataset))) throw new DatasetNotFoundError(dataset);
		const plan = await planExport.call(this, store, { dataset, filters, options, itemIndex: i });
		const progress: ExportProgress = { count: 0, byteSize: 0, minLinkId: null, maxLinkId: null };
		const stream = Readable.from(exportChunks(store.getExamples(dataset, plan.query), format, progress, plan.onRecord));
		// With n8n's filesystem / S3 binary mode the stream goes to storage chunk by chunk; in the default
		// in-memory mode n8n itself gathers the file into one Buffer (never the examples as objects).
		const binary = await this.helpers.prepareBinaryData(stream, fileName, MIME_TYPES[format]);
		const extra = plan.finish ? await plan.finish() : {};
		return {
			json: { dataset, format, fileName, ...progress, ...extra },
			binary: { [binaryPropertyName]: binary },
		};
	});
}
