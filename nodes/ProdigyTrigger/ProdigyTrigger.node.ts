import type { INodeExecutionData, INodeType, INodeTypeDescription, IPollFunctions } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { prodigyDatabaseConnectionTest } from '../shared/credentialTest';
import { searchDatasets } from '../shared/methods';
import { properties } from './description';
import { pollTrigger } from './poll';

export class ProdigyTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Prodigy Trigger',
		name: 'prodigyTrigger',
		icon: { light: 'file:../../icons/prodigy.svg', dark: 'file:../../icons/prodigy.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{$parameter["event"]}}',
		description: 'Starts a workflow when annotators save annotations or start sessions, datasets appear, a count is reached or annotation stalls',
		defaults: { name: 'Prodigy Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'prodigyDatabaseApi', required: true, testedBy: 'prodigyDatabaseConnectionTest' }],
		properties,
	};

	methods = { listSearch: { searchDatasets }, credentialTest: { prodigyDatabaseConnectionTest } };

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		return await pollTrigger.call(this);
	}
}
