import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { DATABASE_CREDENTIAL, withStore } from '../shared/store';
import { toNodeError } from '../shared/errors';
import * as dataset from './actions/dataset';
import * as example from './actions/example';
import * as server from './actions/server';
import { SERVER_CREDENTIAL, serverHttp } from './actions/server/transport';
import * as session from './actions/session';
import type { DatabaseOperation } from './actions/types';

const DATABASE_RESOURCES: Record<string, Record<string, DatabaseOperation>> = {
	dataset: dataset.operations,
	example: example.operations,
	session: session.operations,
};

/** Reads resource and operation once, opens ONE store (or one HTTP transport) for the run and hands it over. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;

	if (resource === 'server') {
		const op = server.operations[operation];
		if (!op) throw new NodeOperationError(this.getNode(), `Unknown server operation "${operation}"`);
		const credentials = await this.getCredentials(SERVER_CREDENTIAL);
		return [await op.execute.call(this, serverHttp(this, credentials), credentials)];
	}

	const op = DATABASE_RESOURCES[resource]?.[operation];
	if (!op) throw new NodeOperationError(this.getNode(), `Unknown operation "${operation}" for resource "${resource}"`);
	const credentials = await this.getCredentials(DATABASE_CREDENTIAL);
	try {
		return [await withStore(credentials, async (store) => await op.execute.call(this, store, credentials))];
	} catch (error) {
		// Operations raise item-indexed n8n errors; this catches what happens outside them (connecting, closing).
		throw toNodeError(this.getNode(), error, 0, credentials);
	}
}
