import type { INodeProperties } from 'n8n-workflow';

import type { DatabaseOperation } from '../types';
import * as getAll from './getAll.operation';

export const operations: Record<string, DatabaseOperation> = { getAll };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['session'] } },
		options: [
			{
				name: 'Get Many',
				value: 'getAll',
				description: 'List the annotation sessions of a dataset with each annotator\'s progress',
				action: 'Get many sessions',
			},
		],
		default: 'getAll',
	},
	...getAll.description,
];
