import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { withNodeStore } from '../shared/store';
import * as dataset from './actions/dataset';
import * as example from './actions/example';
import * as server from './actions/server';
import { withServer } from './actions/server/transport';
import * as session from './actions/session';
import type { DatabaseOperation, DatabaseResource, ServerOperation } from './actions/types';

const DATABASE_OPERATIONS: Record<DatabaseResource, Record<string, DatabaseOperation>> = {
	dataset: dataset.operations,
	example: example.operations,
	session: session.operations,
};
const SERVER_OPERATIONS: Record<string, ServerOperation> = server.operations;

/** Reads resource and operation once, opens ONE store (or one HTTP transport) for the run and hands it over. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;

	if (resource === 'server') {
		const op = SERVER_OPERATIONS[operation];
		if (!op) throw new NodeOperationError(this.getNode(), `Unknown server operation "${operation}"`);
		return [await withServer(this, async (run) => await op.execute.call(this, run))];
	}

	const op = DATABASE_OPERATIONS[resource as DatabaseResource]?.[operation];
	if (!op) throw new NodeOperationError(this.getNode(), `Unknown operation "${operation}" for resource "${resource}"`);
	return [await withNodeStore(this, async (run) => await op.execute.call(this, run))];
}
