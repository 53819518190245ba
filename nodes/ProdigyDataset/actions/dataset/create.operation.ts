import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { validateDatasetName } from '../../../../lib/datasets';
import { forOperation } from '../../../shared/descriptions';
import type { StoreRun } from '../../../shared/store';
import { datasetJson, metaFromOptions } from '../common';

const properties: INodeProperties[] = [
	{
		displayName: 'Dataset Name',
		name: 'name',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. ner_news',
		description:
			'Name of the new dataset, as you will pass it to Prodigy recipes. No spaces or commas (Prodigy refuses them).',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Author',
				name: 'author',
				type: 'string',
				default: '',
				description: 'Who owns the dataset; stored in its meta as "author"',
			},
			{
				displayName: 'Custom Meta (JSON)',
				name: 'customMeta',
				type: 'json',
				default: '{}',
				description: 'Further fields for the dataset\'s meta, e.g. {"project": "contracts"}',
			},
			{
				displayName: 'Description',
				name: 'description',
				type: 'string',
				default: '',
				description: 'What the dataset is for; stored in its meta as "description" (Prodigy shows it in stats)',
			},
			{
				displayName: 'If It Already Exists',
				name: 'ifExists',
				type: 'options',
				options: [
					{ name: 'Fail', value: 'error', description: 'Stop with an error' },
					{ name: 'Return the Existing Dataset', value: 'returnExisting', description: 'Leave it unchanged and output it' },
				],
				default: 'error',
				description: 'What to do when a dataset with this name exists already',
			},
		],
	},
];

export const description = forOperation('dataset', 'create', properties);

export async function execute(this: IExecuteFunctions, { store, eachItem, nodeError }: StoreRun): Promise<INodeExecutionData[]> {
	const read = (i: number) => ({
		name: (this.getNodeParameter('name', i) as string).trim(),
		options: this.getNodeParameter('options', i, {}) as IDataObject,
	});
	if (!this.continueOnFail()) {
		// As in Example → Add: a bad item stops the run before any dataset is created, not after the good ones.
		this.getInputData().forEach((_, i) => {
			try {
				const { name, options } = read(i);
				validateDatasetName(name);
				metaFromOptions(options);
			} catch (error) {
				throw nodeError(error, i);
			}
		});
	}
	return await eachItem(async (i) => {
		const { name, options } = read(i);
		const existing = options.ifExists === 'returnExisting' ? await store.getDataset(name) : null;
		if (existing) return { ...datasetJson(existing), alreadyExisted: true };
		return { ...datasetJson(await store.createDataset(name, metaFromOptions(options))), alreadyExisted: false };
	});
}
