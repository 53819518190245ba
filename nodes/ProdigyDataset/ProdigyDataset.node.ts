import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { prodigyDatabaseConnectionTest, prodigyServerConnectionTest } from '../shared/credentialTest';
import { operationSubtitle } from '../shared/descriptions';
import { searchDatasets } from '../shared/methods';
import { DATABASE_RESOURCES, properties, SERVER_RESOURCES } from './actions';
import { router } from './router';

export class ProdigyDataset implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Prodigy Dataset',
		name: 'prodigyDataset',
		icon: { light: 'file:../../icons/prodigy.svg', dark: 'file:../../icons/prodigy.dark.svg' },
		group: ['transform'],
		// 1.1: Example → Add skips duplicates by default (Skip Duplicates shown on the node); 1 keeps No.
		version: [1, 1.1],
		defaultVersion: 1.1,
		subtitle: operationSubtitle(properties),
		description: 'Read and write Prodigy annotation datasets, examples and sessions, or talk to a running Prodigy server',
		defaults: { name: 'Prodigy Dataset' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		// `hide`, never `show`: n8n's editor takes a parameter whose values the credentials' `show` conditions cover
		// for the node's authentication field, hides it and sets it from the credential it picks, so with `show` every
		// action added from the node panel became Dataset → <default operation> (docs/development.md, "Credentials").
		credentials: [
			{
				name: 'prodigyDatabaseApi',
				required: true,
				testedBy: 'prodigyDatabaseConnectionTest',
				displayOptions: { hide: { resource: SERVER_RESOURCES } },
			},
			{
				name: 'prodigyServerApi',
				required: true,
				testedBy: 'prodigyServerConnectionTest',
				displayOptions: { hide: { resource: DATABASE_RESOURCES } },
			},
		],
		properties,
	};

	methods = { listSearch: { searchDatasets }, credentialTest: { prodigyDatabaseConnectionTest, prodigyServerConnectionTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
