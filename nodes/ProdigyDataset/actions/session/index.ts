import type { INodeProperties } from 'n8n-workflow';

import type { DatabaseOperation, OperationMap } from '../types';
import * as getAll from './getAll.operation';

export const operations: OperationMap<'session', DatabaseOperation> = { getAll };

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
