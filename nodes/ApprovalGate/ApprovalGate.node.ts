import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { prodigyDatabaseConnectionTest } from '../shared/credentialTest';
import { searchDatasets } from '../shared/methods';
import { optionalOutputs } from '../shared/routing';
import { TIMED_OUT_CONDITION } from './decision';
import { OUTPUT_NAMES, properties, TIMED_OUT_OUTPUT_NAME, webhooks } from './description';
import { executeHuman } from './human';
import { executeRules } from './rules';
import { approvalWebhook } from './webhook';

export class ApprovalGate implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Approval Gate',
		name: 'approvalGate',
		icon: { light: 'file:../../icons/prodigy.svg', dark: 'file:../../icons/prodigy.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["mode"] === "human" ? "human approval" : "rules"}}',
		description: 'Approve Prodigy datasets before training: rule checks or a person, every decision recorded',
		defaults: { name: 'Approval Gate' },
		// Rules mode answers an agent's "may this dataset be used?"; human mode pauses the whole execution.
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: optionalOutputs(OUTPUT_NAMES, [TIMED_OUT_OUTPUT_NAME], TIMED_OUT_CONDITION),
		credentials: [{ name: 'prodigyDatabaseApi', required: true, testedBy: 'prodigyDatabaseConnectionTest' }],
		webhooks,
		properties,
	};

	methods = { listSearch: { searchDatasets }, credentialTest: { prodigyDatabaseConnectionTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return this.getNodeParameter('mode', 0) === 'human' ? await executeHuman(this) : await executeRules(this);
	}

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await approvalWebhook.call(this);
	}
}
