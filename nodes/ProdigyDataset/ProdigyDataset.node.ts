import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { prodigyDatabaseConnectionTest, prodigyServerConnectionTest } from '../shared/credentialTest';
import { operationSubtitle } from '../shared/descriptions';
import { searchDatasets } from '../shared/methods';
import { DATABASE_RESOURCES, properties } from './actions';
import { router } from './router';

export class ProdigyDataset implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Prodigy Dataset',
		name: 'prodigyDataset',
		icon: { light: 'file:../../icons/prodigy.svg', dark: 'file:../../icons/prodigy.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: operationSubtitle(properties),
		description: 'Read and write Prodigy annotation datasets, examples and sessions, or talk to a running Prodigy server',
		defaults: { name: 'Prodigy Dataset' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: 'prodigyDatabaseApi',
				required: true,
				testedBy: 'prodigyDatabaseConnectionTest',
				displayOptions: { show: { resource: DATABASE_RESOURCES } },
			},
			{
				name: 'prodigyServerApi',
				required: true,
				testedBy: 'prodigyServerConnectionTest',
				displayOptions: { show: { resource: ['server'] } },
			},
		],
		properties,
	};

	methods = { listSearch: { searchDatasets }, credentialTest: { prodigyDatabaseConnectionTest, prodigyServerConnectionTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
