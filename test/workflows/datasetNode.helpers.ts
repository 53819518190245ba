// Shared set-up for the Prodigy Dataset node's workflow tests: a node definition, a runner over the n8n-core harness,
// and reads of the rows exactly as Prodigy would see them.
import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';

import { ProdigyDataset } from '../../nodes/ProdigyDataset/ProdigyDataset.node';
import { openStore } from '../../lib/store';
import type { StoreConfig } from '../../lib/store/types';
import { rawQuery } from '../helpers/databases';
import { chain, runWorkflow, type TestFile, type WorkflowRun } from '../helpers/workflow';

export const NODE_TYPE = 'n8n-nodes-prodigy.prodigyDataset';
export const NODE = 'Prodigy';

/** A dataset locator value typed By Name. */
export const byName = (value: string) => ({ __rl: true, mode: 'name', value });

export function prodigyNode(parameters: IDataObject, extra: Partial<INode> = {}): Pick<INode, 'name' | 'type' | 'parameters'> & Partial<INode> {
	return {
		name: NODE,
		type: NODE_TYPE,
		parameters: parameters as INode['parameters'],
		credentials: { prodigyDatabaseApi: { id: '1', name: 'Prodigy DB' }, prodigyServerApi: { id: '2', name: 'Prodigy Server' } },
		...extra,
	};
}

export interface RunInput {
	items?: IDataObject[];
	binary?: Record<string, TestFile>;
	/** Run the node with continue-on-fail (onError: continueRegularOutput). */
	continueOnFail?: boolean;
	serverCredentials?: IDataObject;
	/** The node's typeVersion (default 1, what the saved workflows of the tests were written for). */
	typeVersion?: number;
}

/** Manual Trigger → Items → Prodigy Dataset with `parameters`, against the database `config`. */
export async function runNode(config: StoreConfig | null, parameters: IDataObject, input: RunInput = {}): Promise<WorkflowRun> {
	const extra: Partial<INode> = input.continueOnFail ? { onError: 'continueRegularOutput' } : {};
	if (input.typeVersion !== undefined) extra.typeVersion = input.typeVersion;
	const credentials: Record<string, IDataObject> = {};
	if (config) credentials.prodigyDatabaseApi = { ...config };
	if (input.serverCredentials) credentials.prodigyServerApi = input.serverCredentials;
	return await runWorkflow(
		chain([prodigyNode(parameters, extra)], { items: input.items ?? [{}], binary: input.binary }),
		{
			nodeTypes: { [NODE_TYPE]: new ProdigyDataset() },
			credentials: credentials as Record<string, never>,
		},
	);
}

/** Runs and expects success; returns the node's output items. */
export async function runOk(config: StoreConfig | null, parameters: IDataObject, input: RunInput = {}): Promise<INodeExecutionData[]> {
	const run = await runNode(config, parameters, input);
	if (run.status !== 'success') throw new Error(`Run failed: ${run.error?.message ?? run.status}`);
	return run.output(NODE);
}

export interface StoredExample {
	linkId: number;
	exampleId: number;
	inputHash: number;
	taskHash: number;
	/** The content column's text, exactly as stored. */
	content: string;
	task: IDataObject;
}

function text(value: unknown): string {
	return Buffer.isBuffer(value) ? value.toString('utf8') : value instanceof Uint8Array ? Buffer.from(value).toString('utf8') : String(value);
}

/** The examples linked to `dataset`, in link order, read with plain SQL (empty when Prodigy's tables do not exist). */
export async function storedExamples(config: StoreConfig, dataset: string): Promise<StoredExample[]> {
	const store = openStore(config);
	try {
		if (!(await store.hasSchema())) return [];
	} finally {
		await store.close();
	}
	const rows = await rawQuery(
		config,
		'SELECT link.id AS link_id, example.id AS example_id, example.input_hash, example.task_hash, example.content ' +
			'FROM link JOIN example ON example.id = link.example_id JOIN dataset ON dataset.id = link.dataset_id ' +
			'WHERE dataset.name = ? ORDER BY link.id',
		[dataset],
	);
	return rows.map((row) => ({
		linkId: Number(row.link_id),
		exampleId: Number(row.example_id),
		inputHash: Number(row.input_hash),
		taskHash: Number(row.task_hash),
		content: text(row.content),
		task: JSON.parse(text(row.content)) as IDataObject,
	}));
}

/** Whether Prodigy's tables exist (reads never create them). */
export async function hasSchema(config: StoreConfig): Promise<boolean> {
	const store = openStore(config);
	try {
		return await store.hasSchema();
	} finally {
		await store.close();
	}
}

/** All rows of a table (0 when Prodigy's tables do not exist). */
export async function rowCount(config: StoreConfig, table: 'dataset' | 'example' | 'link'): Promise<number> {
	const store = openStore(config);
	try {
		if (!(await store.hasSchema())) return 0;
	} finally {
		await store.close();
	}
	const [row] = await rawQuery(config, `SELECT COUNT(*) AS n FROM ${table}`);
	return Number(row.n);
}

export async function datasetRow(config: StoreConfig, name: string): Promise<{ id: number; created: number; meta: IDataObject; session: boolean } | null> {
	const rows = await rawQuery(config, 'SELECT id, created, meta, session FROM dataset WHERE name = ?', [name]);
	if (rows.length === 0) return null;
	const [row] = rows;
	return {
		id: Number(row.id),
		created: Number(row.created),
		meta: JSON.parse(text(row.meta)) as IDataObject,
		session: row.session === true || Number(row.session) === 1,
	};
}
