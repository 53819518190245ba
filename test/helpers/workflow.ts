// Runs a workflow through n8n-core's real execution engine (WorkflowExecute), the way n8n runs it, with our nodes,
// a credentials helper that hands out test credentials, and two tiny built-in test nodes. No n8n server needed; the
// real-n8n suite (test/e2e) covers the server.
import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import type {
	ExecutionStatus,
	ICredentialDataDecryptedObject,
	ICredentials,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	INode,
	INodeExecutionData,
	INodeType,
	INodeTypes,
	IConnections,
	IRun,
	IVersionedNodeType,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
	IWorkflowSettings,
} from 'n8n-workflow';
import {
	createRunExecutionData,
	ICredentialsHelper,
	NodeConnectionTypes,
	setSafeRegexEngine,
	Workflow,
} from 'n8n-workflow';

import { ProdigyDatabaseApi } from '../../credentials/ProdigyDatabaseApi.credentials';
import { ProdigyServerApi } from '../../credentials/ProdigyServerApi.credentials';

// n8n-workflow runs every regular expression it checks (e.g. a resource locator's validation pattern) inside a vm
// with a 250 ms wall-clock timeout, a guard against user-supplied patterns that backtrack forever. On a loaded 2-core
// machine the process alone can be descheduled that long, and a workflow then fails with "Regular expression
// execution timed out" (seen at load average 15). The patterns these tests meet are this pack's own fixed ones, so
// the workflow tests use the plain engine: same results, no wall-clock timer.
setSafeRegexEngine({
	exec: (pattern, input, flags) => new RegExp(pattern, flags).exec(input),
	test: (pattern, input, flags) => new RegExp(pattern, flags).test(input),
	replace: (pattern, input, flags, replacement) => input.replace(new RegExp(pattern, flags), replacement),
	matchAll: (pattern, input, flags) => Array.from(input.matchAll(new RegExp(pattern, flags?.includes('g') ? flags : `${flags ?? ''}g`))),
	split: (pattern, input, flags) => input.split(new RegExp(pattern, flags)),
});

export interface TestWorkflow {
	nodes: INode[];
	connections: IConnections;
	settings?: IWorkflowSettings;
	name?: string;
}

export interface RunOptions {
	/** Node classes by type, e.g. { 'n8n-nodes-prodigy.prodigyDataset': new ProdigyDataset() }. */
	nodeTypes?: Record<string, INodeType>;
	/** Decrypted credential data by credential type. */
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	/** Workflow static data to start from (pollers / cursors). */
	staticData?: IDataObject;
}

export interface WorkflowRun {
	status: ExecutionStatus;
	run: IRun;
	workflow: Workflow;
	/** The workflow-level error (a node failed without continue-on-fail). */
	error?: Error & { description?: string | null; node?: INode; context?: IDataObject };
	output(nodeName: string, outputIndex?: number, runIndex?: number): INodeExecutionData[];
	json(nodeName: string, outputIndex?: number, runIndex?: number): IDataObject[];
}

/** Emits the items given as a JSON string, and optionally a text file as binary on the first item. */
class TestItems implements INodeType {
	description = {
		displayName: 'Test Items',
		name: 'items',
		group: ['input' as const],
		version: 1,
		description: 'Emits fixed items (tests only)',
		defaults: { name: 'Items' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [
			{ displayName: 'Items', name: 'items', type: 'string' as const, default: '[]' },
			{ displayName: 'Binary', name: 'binary', type: 'string' as const, default: '' },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = (JSON.parse(this.getNodeParameter('items', 0) as string) as IDataObject[]).map(
			(json): INodeExecutionData => ({ json }),
		);
		const binarySpec = this.getNodeParameter('binary', 0) as string;
		if (binarySpec) {
			if (items.length === 0) items.push({ json: {} });
			const files = JSON.parse(binarySpec) as Record<string, TestFile>;
			items[0].binary = {};
			for (const [property, file] of Object.entries(files)) {
				items[0].binary[property] = await this.helpers.prepareBinaryData(
					// `base64` gives bytes that are not UTF-8 text (a Latin-1 file).
					file.base64 !== undefined ? Buffer.from(file.base64, 'base64') : Buffer.from(file.text, 'utf8'),
					file.fileName,
					file.mimeType,
				);
			}
		}
		return [items];
	}
}

/** n8n's Manual Trigger, reduced to what a test needs: one empty item. */
class ManualTrigger implements INodeType {
	description = {
		displayName: 'Manual Trigger',
		name: 'manualTrigger',
		group: ['trigger' as const],
		version: 1,
		description: 'Starts the workflow (tests only)',
		defaults: { name: 'Manual Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [this.getInputData()];
	}
}

/** Passes its input on, linked item by item: stands for whatever a user connects after the node under test. */
class PassThrough implements INodeType {
	description = {
		displayName: 'Pass Through',
		name: 'passThrough',
		group: ['transform' as const],
		version: 1,
		description: 'Passes items on (tests only)',
		defaults: { name: 'Pass Through' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [this.getInputData().map((item, index) => ({ ...item, pairedItem: { item: index } }))];
	}
}

const BUILT_IN: Record<string, INodeType> = {
	'n8n-nodes-base.manualTrigger': new ManualTrigger(),
	'test.items': new TestItems(),
	'test.passThrough': new PassThrough(),
};

class TestNodeTypes implements INodeTypes {
	constructor(private readonly types: Record<string, INodeType>) {}

	getByName(nodeType: string): INodeType | IVersionedNodeType {
		const type = this.types[nodeType];
		if (!type) throw new Error(`Unknown node type in test workflow: ${nodeType}`);
		return type;
	}

	getByNameAndVersion(nodeType: string): INodeType {
		return this.getByName(nodeType) as INodeType;
	}

	getKnownTypes() {
		return {};
	}
}

const CREDENTIAL_TYPES = { prodigyDatabaseApi: new ProdigyDatabaseApi(), prodigyServerApi: new ProdigyServerApi() };

/** Resolves the `={{$credentials.x}}` expressions our credential types use in `authenticate`. */
function resolveCredentialExpression(value: string, credentials: ICredentialDataDecryptedObject): unknown {
	const match = /^=\{\{\s*\$credentials\.(\w+)\s*\}\}$/.exec(value);
	return match ? credentials[match[1]] : value;
}

class TestCredentialsHelper extends ICredentialsHelper {
	constructor(private readonly credentials: Record<string, ICredentialDataDecryptedObject>) {
		super();
	}

	getParentTypes(): string[] {
		return [];
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const type = CREDENTIAL_TYPES[typeName as keyof typeof CREDENTIAL_TYPES];
		const authenticate = type && 'authenticate' in type ? type.authenticate : undefined;
		if (!authenticate || typeof authenticate === 'function') return requestOptions;
		const auth = (authenticate.properties as { auth?: { username: string; password: string } }).auth;
		if (!auth) return requestOptions;
		const username = String(resolveCredentialExpression(auth.username, credentials) ?? '');
		const password = String(resolveCredentialExpression(auth.password, credentials) ?? '');
		return { ...requestOptions, auth: { username, password } };
	}

	async preAuthentication() {
		return undefined;
	}

	async runPreAuthentication() {
		return undefined;
	}

	async getCredentials(): Promise<ICredentials> {
		throw new Error('getCredentials is not available in workflow tests');
	}

	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		_nodeCredentials: unknown,
		type: string,
	): Promise<ICredentialDataDecryptedObject> {
		const data = this.credentials[type];
		if (!data) throw new Error(`No test credentials of type ${type}`);
		return data;
	}

	async updateCredentials() {}

	async updateCredentialsOauthTokenData() {}

	getCredentialsProperties() {
		return [];
	}
}

/**
 * The additional data n8n's server would pass. Only what node execution touches is real; anything else a node asks
 * for fails loudly instead of returning a fake.
 */
export function testAdditionalData(
	credentials: Record<string, ICredentialDataDecryptedObject>,
	hooks?: ExecutionLifecycleHooks,
): IWorkflowExecuteAdditionalData {
	const base: Partial<IWorkflowExecuteAdditionalData> = {
		credentialsHelper: new TestCredentialsHelper(credentials),
		hooks,
		currentNodeExecutionIndex: 0,
		restApiUrl: 'http://localhost:5678/rest',
		instanceBaseUrl: 'http://localhost:5678/',
		formBaseUrl: 'http://localhost:5678/form',
		formWaitingBaseUrl: 'http://localhost:5678/form-waiting',
		formTestBaseUrl: 'http://localhost:5678/form-test',
		webhookBaseUrl: 'http://localhost:5678/webhook',
		webhookWaitingBaseUrl: 'http://localhost:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://localhost:5678/webhook-test',
		mcpBaseUrl: 'http://localhost:5678/mcp',
		mcpTestBaseUrl: 'http://localhost:5678/mcp-test',
		variables: {},
		executionId: 'test-execution',
	};
	return new Proxy(base as IWorkflowExecuteAdditionalData, {
		get(target, property, receiver) {
			if (property in target || typeof property === 'symbol' || property === 'then') {
				return Reflect.get(target, property, receiver);
			}
			return undefined;
		},
	});
}

export function buildWorkflow(workflow: TestWorkflow, options: RunOptions = {}): Workflow {
	return new Workflow({
		id: 'test-workflow',
		name: workflow.name ?? 'test',
		nodes: workflow.nodes,
		connections: workflow.connections,
		active: false,
		nodeTypes: new TestNodeTypes({ ...BUILT_IN, ...options.nodeTypes }),
		settings: workflow.settings,
		staticData: options.staticData,
	});
}

export async function runWorkflow(workflow: TestWorkflow, options: RunOptions = {}): Promise<WorkflowRun> {
	const instance = buildWorkflow(workflow, options);
	const workflowData = { ...workflow, id: 'test-workflow', active: false } as unknown as IWorkflowBase;
	const hooks = new ExecutionLifecycleHooks('manual', 'test-execution', workflowData);
	let finished: (run: IRun) => void = () => {};
	const done = new Promise<IRun>((resolve) => (finished = resolve));
	hooks.addHandler('workflowExecuteAfter', (fullRunData) => finished(fullRunData));
	const additionalData = testAdditionalData(options.credentials ?? {}, hooks);

	const startNode = instance.getStartNode();
	if (!startNode) throw new Error('Test workflow has no start node');
	const runExecutionData = createRunExecutionData({
		executionData: {
			nodeExecutionStack: [{ node: startNode, data: { main: [[{ json: {} }]] }, source: null }],
		},
	});
	await new WorkflowExecute(additionalData, 'manual', runExecutionData).processRunExecutionData(instance);
	const run = await done;

	const output = (nodeName: string, outputIndex = 0, runIndex = 0): INodeExecutionData[] => {
		const taskData = run.data.resultData.runData[nodeName]?.[runIndex];
		if (!taskData) throw new Error(`Node "${nodeName}" did not run (status ${run.status})`);
		return taskData.data?.main?.[outputIndex] ?? [];
	};
	return {
		status: run.status,
		run,
		workflow: instance,
		error: run.data.resultData.error as WorkflowRun['error'],
		output,
		json: (nodeName, outputIndex, runIndex) => output(nodeName, outputIndex, runIndex).map((item) => item.json),
	};
}

/** A file attached to the first test item: UTF-8 `text`, or raw bytes as `base64`. */
export interface TestFile {
	text: string;
	base64?: string;
	fileName?: string;
	mimeType?: string;
}

/** A linear workflow: Manual Trigger → test items (optional) → the given nodes in order. */
export function chain(
	nodes: Array<Pick<INode, 'name' | 'type' | 'parameters'> & Partial<INode>>,
	items?: { items?: IDataObject[]; binary?: Record<string, TestFile> },
): TestWorkflow {
	const all: INode[] = [
		{ id: 'trigger', name: 'Manual Trigger', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
	];
	if (items) {
		all.push({
			id: 'items',
			name: 'Items',
			type: 'test.items',
			typeVersion: 1,
			position: [200, 0],
			parameters: { items: JSON.stringify(items.items ?? []), binary: items.binary ? JSON.stringify(items.binary) : '' },
		});
	}
	nodes.forEach((node, index) =>
		all.push({ id: `node${index}`, typeVersion: 1, position: [400 + 200 * index, 0], ...node } as INode),
	);
	const connections: IConnections = {};
	for (let index = 0; index < all.length - 1; index++) {
		connections[all[index].name] = { main: [[{ node: all[index + 1].name, type: 'main', index: 0 }]] };
	}
	return { nodes: all, connections };
}
