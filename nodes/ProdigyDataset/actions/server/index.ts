import type { INodeProperties } from 'n8n-workflow';

import type { OperationMap, ServerOperation } from '../types';
import * as endSession from './endSession.operation';
import * as getQuestions from './getQuestions.operation';
import * as getStatus from './getStatus.operation';
import * as submitAnswers from './submitAnswers.operation';

export const operations: OperationMap<'server', ServerOperation> = { endSession, getQuestions, getStatus, submitAnswers };

export const description: INodeProperties[] = [
	{
		displayName:
			'These operations call a running Prodigy web server through the endpoints its own web app uses. Prodigy does not document them as an API, so they may change between Prodigy versions.',
		name: 'serverNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { resource: ['server'] } },
	},
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['server'] } },
		options: [
			{
				name: 'End Session',
				value: 'endSession',
				description: 'Tell the server an annotation session is finished',
				action: 'End an annotation session',
			},
			{
				name: 'Get Questions',
				value: 'getQuestions',
				description: 'Take the next batch of tasks from the server\'s queue (they are no longer shown to annotators)',
				action: 'Get questions from the server',
			},
			{
				name: 'Get Status',
				value: 'getStatus',
				description: 'Check that the server is up and see its dataset, recipe and Prodigy version',
				action: 'Get server status',
			},
			{
				name: 'Submit Answers',
				value: 'submitAnswers',
				description: 'Send answered tasks to the server, which saves them to its dataset',
				action: 'Submit answers to the server',
			},
		],
		default: 'getStatus',
	},
	...endSession.description,
	...getQuestions.description,
	...getStatus.description,
	...submitAnswers.description,
];
