import type { INodeExecutionData, INodeType, INodeTypeDescription, IPollFunctions } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { prodigyDatabaseConnectionTest } from '../shared/credentialTest';
import { labelSubtitle } from '../shared/descriptions';
import { searchDatasets } from '../shared/methods';
import { properties } from './description';
import { EVENTS } from './events';
import { pollTrigger } from './poll';

export class ProdigyDatasetTrigger implements INodeType {
	description: INodeTypeDescription = {
		// Named after the Prodigy Dataset node (type name = its name + "Trigger"), so n8n's node panel shows both in
		// one "Prodigy Dataset" entry, actions and triggers, as it does for Postgres and Postgres Trigger.
		displayName: 'Prodigy Dataset Trigger',
		name: 'prodigyDatasetTrigger',
		icon: { light: 'file:../../icons/prodigy.svg', dark: 'file:../../icons/prodigy.dark.svg' },
		group: ['trigger'],
		// 1.1: New Annotation's Filters are Example → Get Many's own (Flagged stored as only / exclude); 1 keeps
		// flagged / notFlagged. Both read a truthy `flagged` as flagged, as Prodigy does.
		version: [1, 1.1],
		defaultVersion: 1.1,
		subtitle: labelSubtitle(Object.fromEntries(EVENTS.map((event) => [event.value, event.name.toLowerCase()])), '$parameter["event"]'),
		// n8n's node panel shows this description on the shared "Prodigy Dataset" entry, so it names both halves.
		description:
			'Prodigy datasets: start a workflow when annotators save answers or start sessions, datasets appear, a count is reached or annotation stalls; or read and write annotations',
		defaults: { name: 'Prodigy Dataset Trigger' },
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
