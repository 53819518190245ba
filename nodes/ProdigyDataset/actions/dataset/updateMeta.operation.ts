import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { ProdigyInputError } from '../../../../lib/errors';
import type { ProdigyStore } from '../../../../lib/store/types';
import { datasetLocator, forOperation } from '../../../shared/descriptions';
import { mapItems } from '../../../shared/items';
import { datasetJson, readDataset } from '../common';
import { metaFromOptions } from './create.operation';

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

export async function execute(this: IExecuteFunctions, store: ProdigyStore): Promise<INodeExecutionData[]> {
	return await mapItems(this, async (i) => {
		const name = readDataset(this, i);
		const patch = metaFromOptions(this.getNodeParameter('updateFields', i, {}) as IDataObject);
		if (Object.keys(patch).length === 0) {
			throw new ProdigyInputError('Nothing to update', { hint: 'Add at least one field under Update Fields.' });
		}
		return datasetJson(await store.updateMeta(name, patch));
	});
}
