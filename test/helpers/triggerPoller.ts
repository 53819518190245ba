// Polls the Prodigy Trigger through n8n-core's real PollContext, the way n8n 2.40 does, without the n8n server.
// Two ways of keeping static data, as the server has them (see nodes/ProdigyDatasetTrigger/poll.ts):
// - legacy: the poll mutates the workflow's live static data object;
// - durable: each poll runs in a staging scope (runPollInStagingScope) on a copy of the stored cursor, committed
//   when the poll emitted or returned null, discarded when it threw.
import { PollContext, commitStagedCursor, runPollInStagingScope } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	INode,
	INodeExecutionData,
	INodeParameters,
	INodeType,
	WorkflowExecuteMode,
} from 'n8n-workflow';

import { ProdigyDatasetTrigger } from '../../nodes/ProdigyDatasetTrigger/ProdigyDatasetTrigger.node';
import { STATE_FIELD } from '../../nodes/ProdigyDatasetTrigger/poll';
import type { StoreConfig } from '../../lib/store/types';
import type { TriggerState } from '../../lib/triggerState';
import { buildWorkflow, testAdditionalData } from './workflow';

export const TRIGGER_TYPE = 'n8n-nodes-prodigy.prodigyDatasetTrigger';

export function credentialsFor(config: StoreConfig): ICredentialDataDecryptedObject {
	return { ...config } as unknown as ICredentialDataDecryptedObject;
}

export function triggerNode(parameters: INodeParameters, name = 'Prodigy Trigger'): INode {
	return {
		id: 'trigger',
		name,
		type: TRIGGER_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters,
		credentials: { prodigyDatabaseApi: { id: '1', name: 'Prodigy DB' } },
	};
}

/** The Datasets field as the editor stores it: one resource-locator entry per dataset. */
export function datasetsParameter(...names: string[]): INodeParameters {
	return { values: names.map((name) => ({ dataset: { __rl: true, mode: 'name', value: name } })) };
}

export interface Poller {
	/** One poll; items emitted or null. Throws what the node throws. */
	poll(mode?: WorkflowExecuteMode): Promise<INodeExecutionData[] | null>;
	/** The stored cursor (legacy: the live static data; durable: the last committed copy), as plain JSON. */
	state(): TriggerState | undefined;
	/** Replaces the stored cursor (a test seeding static data). */
	seed(state: TriggerState): void;
	/** The node's static data object, for tests asserting it is untouched. */
	rawStaticData(): IDataObject;
}

export function createPoller(
	parameters: INodeParameters,
	config: StoreConfig,
	options: { durable?: boolean; nodeType?: INodeType } = {},
): Poller {
	const node = triggerNode(parameters);
	const credentials = { prodigyDatabaseApi: credentialsFor(config) };
	const workflow = buildWorkflow(
		{ nodes: [node], connections: {} },
		{ nodeTypes: { [TRIGGER_TYPE]: options.nodeType ?? new ProdigyDatasetTrigger() }, credentials },
	);
	const nodeType = options.nodeType ?? (workflow.nodeTypes.getByNameAndVersion(TRIGGER_TYPE, 1) as INodeType);
	const additionalData = testAdditionalData(credentials);
	const live = () => workflow.getStaticData('node', node);
	let committed: IDataObject = {};
	const plain = (data: IDataObject) => JSON.parse(JSON.stringify(data)) as IDataObject;

	async function poll(mode: WorkflowExecuteMode = 'trigger'): Promise<INodeExecutionData[] | null> {
		if (!options.durable) {
			const context = new PollContext(workflow, node, additionalData, mode, mode === 'manual' ? 'manual' : 'activate');
			const result = await nodeType.poll!.call(context);
			return result ? result[0] : null;
		}
		let staged: IDataObject = {};
		let emitted: INodeExecutionData[][] | null = null;
		const context = new PollContext(
			workflow,
			node,
			additionalData,
			mode,
			'activate',
			(data) => {
				emitted = data;
				committed = plain(staged);
			},
			(error) => {
				throw error;
			},
			async () => {
				committed = plain(staged);
			},
			async (run) => {
				staged = plain(committed);
				return await run();
			},
			() => staged,
		);
		await runPollInStagingScope(context, async () => {
			const result = await nodeType.poll!.call(context);
			if (result !== null) context.__emit(result);
			else if (mode !== 'manual') await commitStagedCursor(context);
		});
		const output = emitted as INodeExecutionData[][] | null;
		return output ? output[0] : null;
	}

	return {
		poll,
		state: () => {
			const data = options.durable ? committed : plain(live());
			return data[STATE_FIELD] as TriggerState | undefined;
		},
		seed: (state) => {
			if (options.durable) committed = { [STATE_FIELD]: plain(state as unknown as IDataObject) };
			else live()[STATE_FIELD] = plain(state as unknown as IDataObject);
		},
		rawStaticData: () => (options.durable ? committed : live()),
	};
}
