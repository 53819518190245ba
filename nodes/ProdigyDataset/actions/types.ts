import type { ICredentialDataDecryptedObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { ServerHttp } from '../../../lib/server';
import type { ProdigyStore } from '../../../lib/store/types';

export type DatabaseResource = 'dataset' | 'example' | 'session';

/** An operation on Prodigy's database: the router opens the store once per run and passes it in. */
export interface DatabaseOperation {
	description: INodeProperties[];
	execute(
		this: IExecuteFunctions,
		store: ProdigyStore,
		credentials: ICredentialDataDecryptedObject,
	): Promise<INodeExecutionData[]>;
}

/** An operation on a running Prodigy web server, through the authenticated HTTP transport. */
export interface ServerOperation {
	description: INodeProperties[];
	execute(
		this: IExecuteFunctions,
		http: ServerHttp,
		credentials: ICredentialDataDecryptedObject,
	): Promise<INodeExecutionData[]>;
}
