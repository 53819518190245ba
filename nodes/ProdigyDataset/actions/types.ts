import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { StoreRun } from '../../shared/store';
import type { ServerRun } from './server/transport';

/**
 * Every resource and its operations (Airtable v2's node.type.ts): each resource's operation map is typed by it, so
 * an operation offered without a handler, or a handler nobody can select, is a compile error.
 */
export interface ProdigyDatasetOperations {
	dataset: 'create' | 'delete' | 'get' | 'getAll' | 'getStats' | 'merge' | 'updateMeta';
	example: 'add' | 'count' | 'delete' | 'export' | 'getAll';
	session: 'getAll';
	server: 'endSession' | 'getQuestions' | 'getStatus' | 'submitAnswers';
}

export type DatabaseResource = Exclude<keyof ProdigyDatasetOperations, 'server'>;

/** An operation on Prodigy's database: the router opens the store once per run (withNodeStore) and passes it in. */
export interface DatabaseOperation {
	description: INodeProperties[];
	execute(this: IExecuteFunctions, run: StoreRun): Promise<INodeExecutionData[]>;
}

/** An operation on a running Prodigy web server, through the authenticated HTTP transport. */
export interface ServerOperation {
	description: INodeProperties[];
	execute(this: IExecuteFunctions, run: ServerRun): Promise<INodeExecutionData[]>;
}

/** One handler per operation of `resource`. */
export type OperationMap<R extends keyof ProdigyDatasetOperations, Op> = Record<ProdigyDatasetOperations[R], Op>;
