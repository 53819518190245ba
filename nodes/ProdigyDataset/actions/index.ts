import type { INodeProperties } from 'n8n-workflow';

import * as dataset from './dataset';
import * as example from './example';
import * as server from './server';
import * as session from './session';
import type { DatabaseResource } from './types';

export const DATABASE_RESOURCES: DatabaseResource[] = ['dataset', 'example', 'session'];
export const SERVER_RESOURCES = ['server'];

/** Resource selector, then each resource's operation selector and operation parameters. */
export const properties: INodeProperties[] = [
	{
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Dataset', value: 'dataset', description: 'A named collection of annotations (Prodigy\'s datasets)' },
			{ name: 'Example', value: 'example', description: 'Tasks and annotations inside a dataset' },
			{ name: 'Server', value: 'server', description: 'A running Prodigy annotation server' },
			{ name: 'Session', value: 'session', description: 'The annotation sessions of a dataset, one per annotator and sitting' },
		],
		default: 'example',
	},
	...dataset.description,
	...example.description,
	...session.description,
	...server.description,
];
