import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { prodigyDatabaseConnectionTest } from '../shared/credentialTest';
import { searchDatasets } from '../shared/methods';
import { optionalOutputs } from '../shared/routing';
import { DISCARD_OUTPUT_NAME, OUTPUT_NAMES, properties } from './description';
import { executeConfidenceFilter } from './execute';

export class ConfidenceFilter implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Confidence Filter',
		name: 'confidenceFilter',
		icon: { light: 'file:../../icons/prodigy.svg', dark: 'file:../../icons/prodigy.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{"review below " + $parameter["reviewThreshold"]}}',
		description: 'Send uncertain model predictions to human review in Prodigy and let confident ones pass',
		defaults: { name: 'Confidence Filter' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: optionalOutputs(OUTPUT_NAMES, [DISCARD_OUTPUT_NAME], '$parameter["discardOutput"] === true'),
		credentials: [
			// Only the "skip inputs already in a dataset" option reads the database. `hide`, not `show`: the editor would
			// take skipExisting for the node's authentication field, hide it and switch it on with the credential.
			{
				name: 'prodigyDatabaseApi',
				required: false,
				testedBy: 'prodigyDatabaseConnectionTest',
				displayOptions: { hide: { skipExisting: [false] } },
			},
		],
		properties,
	};

	methods = { listSearch: { searchDatasets }, credentialTest: { prodigyDatabaseConnectionTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await executeConfidenceFilter.call(this);
	}
}
