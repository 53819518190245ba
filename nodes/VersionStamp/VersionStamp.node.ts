import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { prodigyDatabaseConnectionTest } from '../shared/credentialTest';
import { searchDatasets } from '../shared/methods';
import { properties } from './description';
import { executeVersionStamp } from './execute';

export class VersionStamp implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Version Stamp',
		name: 'versionStamp',
		icon: { light: 'file:../../icons/prodigy.svg', dark: 'file:../../icons/prodigy.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["mode"] === "stampItems" ? "stamp items" : "dataset version"}}',
		description: 'Content-addressed versions of Prodigy datasets, and provenance stamps for audit trails',
		defaults: { name: 'Version Stamp' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: 'prodigyDatabaseApi',
				required: true,
				testedBy: 'prodigyDatabaseConnectionTest',
				// Stamping with a given version id (or none) does not touch the database.
				displayOptions: { hide: { versionSource: ['value', 'none'] } },
			},
		],
		properties,
	};

	methods = { listSearch: { searchDatasets }, credentialTest: { prodigyDatabaseConnectionTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await executeVersionStamp.call(this);
	}
}
