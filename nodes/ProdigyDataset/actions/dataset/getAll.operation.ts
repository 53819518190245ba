import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { forOperation } from '../../../shared/descriptions';
import type { StoreRun } from '../../../shared/store';
import { datasetJson, readLimit, returnAllOrLimit } from '../common';

const properties: INodeProperties[] = [
	...returnAllOrLimit(),
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		options: [
			{
				displayName: 'Include Session Datasets',
				name: 'includeSessions',
				type: 'boolean',
				default: false,
				description:
					'Whether to list the per-session datasets Prodigy creates for each annotation session too (hidden by default, like "prodigy stats -l")',
			},
			{
				displayName: 'Name Contains',
				name: 'nameContains',
				type: 'string',
				default: '',
				placeholder: 'e.g. news',
				description: 'Only datasets whose name contains this text (not case-sensitive)',
			},
		],
	},
];

export const description = forOperation('dataset', 'getAll', properties);

export async function execute(this: IExecuteFunctions, { store, eachItem }: StoreRun): Promise<INodeExecutionData[]> {
	return await eachItem(async (i) => {
		const filters = this.getNodeParameter('filters', i, {}) as IDataObject;
		// A database Prodigy never wrote to has no tables yet: that is "no datasets", not an error.
		if (!(await store.hasSchema())) return [];
		const datasets = await store.listDatasets({
			includeSessions: filters.includeSessions === true,
			nameContains: typeof filters.nameContains === 'string' && filters.nameContains !== '' ? filters.nameContains : undefined,
			limit: readLimit(this, i),
		});
		return datasets.map(datasetJson);
	});
}
