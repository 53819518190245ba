import type { INodeProperties } from 'n8n-workflow';

import type { DatabaseOperation, OperationMap } from '../types';
import * as create from './create.operation';
import * as del from './delete.operation';
import * as get from './get.operation';
import * as getAll from './getAll.operation';
import * as getStats from './getStats.operation';
import * as merge from './merge.operation';
import * as updateMeta from './updateMeta.operation';

export const operations: OperationMap<'dataset', DatabaseOperation> = {
	create,
	delete: del,
	get,
	getAll,
	getStats,
	merge,
	updateMeta,
};

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['dataset'] } },
		options: [
			{ name: 'Create', value: 'create', description: 'Create a new dataset', action: 'Create a dataset' },
			{
				name: 'Delete',
				value: 'delete',
				description: 'Drop a whole dataset with all its examples, the way "prodigy drop" does',
				action: 'Delete a whole dataset like prodigy drop',
			},
			{ name: 'Get', value: 'get', description: 'Get a dataset with its meta and counts', action: 'Get a dataset' },
			{ name: 'Get Many', value: 'getAll', description: 'List datasets', action: 'Get many datasets' },
			{
				name: 'Get Stats',
				value: 'getStats',
				description: 'Count answers, flags, sessions and annotators of a dataset',
				action: 'Get dataset statistics',
			},
			{
				name: 'Merge',
				value: 'merge',
				description: 'Add the examples of other datasets to a dataset, like "prodigy db-merge"',
				action: 'Merge datasets',
			},
			{
				name: 'Update Meta',
				value: 'updateMeta',
				description: 'Change the description, author or other meta fields of a dataset',
				action: 'Update dataset meta',
			},
		],
		default: 'getAll',
	},
	...create.description,
	...del.description,
	...get.description,
	...getAll.description,
	...getStats.description,
	...merge.description,
	...updateMeta.description,
];
