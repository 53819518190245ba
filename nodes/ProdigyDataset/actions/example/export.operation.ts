import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { MAX_DEV_SHARE } from '../../../../lib/devSplit';
import { ProdigyInputError } from '../../../../lib/errors';
import { planExport, writeExport, type ExportSettings } from '../../../../lib/export';
import { EXPORT_FORMATS, exportFormatsWhere, type ExportFormat } from '../../../../lib/exportFormats';
import type { TextcatShape } from '../../../../lib/trainingFormats';
import { datasetLocator, forOperation, readDataset } from '../../../shared/descriptions';
import type { StoreRun } from '../../../shared/store';
import { exampleFilters, readFilters } from './filters';

const TRAINING_FORMATS = exportFormatsWhere((format) => format.training);
const SPLIT_FORMATS = exportFormatsWhere((format) => format.splits);

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
		options: (Object.keys(EXPORT_FORMATS) as ExportFormat[]).map((value) => ({ name: EXPORT_FORMATS[value].name, value, description: EXPORT_FORMATS[value].description })),
		default: 'jsonl',
		description: 'File format of the export. The two training formats keep accepted answers only and merge the answers to one input like "prodigy data-to-spacy".',
	},
	{
		displayName: 'Merge Answers per Input',
		name: 'mergePerInput',
		type: 'boolean',
		default: true,
		displayOptions: { show: { format: TRAINING_FORMATS } },
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
		displayOptions: { show: { format: SPLIT_FORMATS } },
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
		displayOptions: { show: { format: SPLIT_FORMATS, devShare: [{ _cnd: { gt: 0 } }] } },
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

/** Everything the export of one item depends on, read once: equal parameters export the same files. */
interface ExportParameters {
	settings: ExportSettings;
	binaryPropertyName: string;
	devBinaryPropertyName: string;
}

function readParameters(ctx: IExecuteFunctions, i: number): ExportParameters {
	const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');
	const dataset = readDataset(ctx, i);
	const format = ctx.getNodeParameter('format', i, 'jsonl') as ExportFormat;
	const binaryPropertyName = text(ctx.getNodeParameter('binaryPropertyName', i, 'data')) || 'data';
	const filters = readFilters(ctx.getNodeParameter('filters', i, {}) as IDataObject);
	const options = ctx.getNodeParameter('options', i, {}) as IDataObject;
	return {
		settings: {
			dataset,
			format,
			filters,
			fileName: text(options.fileName) || undefined,
			version: text(options.version) || undefined,
			requireApproval: options.requireApproval === true,
			// Checked by planExport, so that a format without a dev file ignores it.
			devShare: Number(ctx.getNodeParameter('devShare', i, 0)),
			mergePerInput: ctx.getNodeParameter('mergePerInput', i, true) as boolean,
			textcatShape: ctx.getNodeParameter('textcatShape', i, 'label') as TextcatShape,
		},
		binaryPropertyName,
		devBinaryPropertyName: text(ctx.getNodeParameter('devBinaryPropertyName', i, 'dev')) || 'dev',
	};
}

export async function execute(this: IExecuteFunctions, run: StoreRun): Promise<INodeExecutionData[]> {
	const perSettings = this.getNode().typeVersion >= 1.1 && this.getNodeParameter('exportPer', 0, 'settings') === 'settings';
	if (!perSettings) return await run.eachItem(async (i) => await exportItem.call(this, run, readParameters(this, i)));
	// The first item of each distinct set of parameters exports; the others join its output item's pairedItem.
	const firstWith = new Map<string, number>();
	const sharedBy = new Map<number, number[]>();
	const output = await run.eachItem(async (i) => {
		const parameters = readParameters(this, i);
		const key = JSON.stringify(parameters);
		const first = firstWith.get(key);
		if (first !== undefined) {
			sharedBy.get(first)?.push(i);
			return [];
		}
		firstWith.set(key, i);
		sharedBy.set(i, [i]);
		return await exportItem.call(this, run, parameters);
	});
	for (const item of output) {
		const first = (item.pairedItem as { item: number }).item;
		const items = sharedBy.get(first) ?? [first];
		if (items.length > 1) item.pairedItem = items.map((index) => ({ item: index }));
	}
	return output;
}

async function exportItem(
	this: IExecuteFunctions,
	{ store }: StoreRun,
	{ settings, binaryPropertyName, devBinaryPropertyName }: ExportParameters,
): Promise<INodeExecutionData> {
	const plan = await planExport(store, settings);
	if (plan.split && devBinaryPropertyName === binaryPropertyName) {
		throw new ProdigyInputError(`The train and dev files cannot both go to the binary field "${binaryPropertyName}"`, {
			hint: 'Choose another name in "Put Dev File in Field".',
		});
	}
	// With n8n's filesystem / S3 binary mode each stream goes to storage chunk by chunk; in the default in-memory
	// mode n8n itself gathers the file into one Buffer (never the examples as objects).
	const { report, train, dev } = await writeExport(store, plan, async (file) => await this.helpers.prepareBinaryData(file.stream, file.fileName, file.mimeType));
	return {
		// The report is plain JSON (numbers, strings, lists and objects of them).
		json: report as unknown as IDataObject,
		binary: { [binaryPropertyName]: train, ...(dev ? { [devBinaryPropertyName]: dev } : {}) },
	};
}
