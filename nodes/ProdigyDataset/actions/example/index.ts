import type { INodeProperties } from 'n8n-workflow';

import type { DatabaseOperation, OperationMap } from '../types';
import * as add from './add.operation';
import * as count from './count.operation';
import * as del from './delete.operation';
import * as exportOp from './export.operation';
import * as getAll from './getAll.operation';

export const operations: OperationMap<'example', DatabaseOperation> = {
	add,
	count,
	delete: del,
	export: exportOp,
	getAll,
};

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['example'] } },
		options: [
			{
				name: 'Add',
				value: 'add',
				description: 'Add tasks or annotations to a dataset, with Prodigy\'s hashes',
				action: 'Add examples to a dataset',
			},
			{ name: 'Count', value: 'count', description: 'Count the examples of a dataset', action: 'Count examples' },
			{
				name: 'Delete',
				value: 'delete',
				description: 'Remove some examples from a dataset by hash or ID; the dataset stays',
				action: 'Delete some examples and keep the dataset',
			},
			{
				name: 'Export',
				value: 'export',
				description: 'Write the examples of a dataset to a file: Prodigy JSONL like "prodigy db-out", or training data (tokens with IOB2 tags, text classification) with a train / dev split',
				action: 'Export examples to a file',
			},
			{ name: 'Get Many', value: 'getAll', description: 'Read the examples of a dataset', action: 'Get many examples' },
		],
		default: 'add',
	},
	...add.description,
	...count.description,
	...del.description,
	...exportOp.description,
	...getAll.description,
];
