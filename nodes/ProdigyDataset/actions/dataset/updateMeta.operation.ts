import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { ProdigyInputError } from '../../../../lib/errors';
import { datasetLocator, forOperation, readDataset } from '../../../shared/descriptions';
import type { StoreRun } from '../../../shared/store';
import { datasetJson, metaFromOptions } from '../common';

const properties: INodeProperties[] = [
	datasetLocator(),
	{
		displayName: 'Update Fields',
		name: 'updateFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		description: 'Fields merged into the dataset\'s meta; fields you do not set are kept as they are',
		options: [
			{
				displayName: 'Author',
				name: 'author',
				type: 'string',
				default: '',
				description: 'Who owns the dataset ("author" in its meta)',
			},
			{
				displayName: 'Custom Meta (JSON)',
				name: 'customMeta',
				type: 'json',
				default: '{}',
				description: 'Fields to set in the meta, e.g. {"status": "in review"}. Existing fields with other names are kept.',
			},
			{
				displayName: 'Description',
				name: 'description',
				type: 'string',
				default: '',
				description: 'What the dataset is for ("description" in its meta)',
			},
		],
	},
];

export const description = forOperation('dataset', 'updateMeta', properties);

export async function execute(this: IExecuteFunctions, { store, eachItem }: StoreRun): Promise<INodeExecutionData[]> {
	return await eachItem(async (i) => {
		const name = readDataset(this, i);
		const patch = metaFromOptions(this.getNodeParameter('updateFields', i, {}) as IDataObject);
		if (Object.keys(patch).length === 0) {
			throw new ProdigyInputError('Nothing to update', { hint: 'Add at least one field under Update Fields.' });
		}
		return datasetJson(await store.updateMeta(name, patch));
	});
}
