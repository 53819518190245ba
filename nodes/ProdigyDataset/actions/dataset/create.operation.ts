import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { validateDatasetName } from '../../../../lib/datasets';
import type { ProdigyStore } from '../../../../lib/store/types';
import { toNodeError } from '../../../shared/errors';
import { mapItems } from '../../../shared/items';
import { forOperation } from '../../../shared/descriptions';
import { datasetJson, readJsonObject } from '../common';

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

/** The meta Prodigy's `dataset` command writes (description, author), plus the user's custom fields. */
export function metaFromOptions(options: IDataObject): IDataObject {
	const meta: IDataObject = { ...readJsonObject(options.customMeta, 'Custom Meta') };
	if (typeof options.description === 'string' && options.description !== '') meta.description = options.description;
	if (typeof options.author === 'string' && options.author !== '') meta.author = options.author;
	return meta;
}

export async function execute(this: IExecuteFunctions, store: ProdigyStore): Promise<INodeExecutionData[]> {
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
				throw toNodeError(this.getNode(), error, i);
			}
		});
	}
	return await mapItems(this, async (i) => {
		const { name, options } = read(i);
		const existing = options.ifExists === 'returnExisting' ? await store.getDataset(name) : null;
		if (existing) return { ...datasetJson(existing), alreadyExisted: true };
		return { ...datasetJson(await store.createDataset(name, metaFromOptions(options))), alreadyExisted: false };
	});
}
