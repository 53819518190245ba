import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties, ICredentialDataDecryptedObject } from 'n8n-workflow';

import { getServerStatus, type ServerHttp } from '../../../../lib/server';
import { errorMessage } from '../../../shared/errors';
import { forOperation } from '../../../shared/descriptions';
import { mapItems } from '../../../shared/items';

const properties: INodeProperties[] = [
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Output Unreachable as Item',
				name: 'unreachableAsItem',
				type: 'boolean',
				default: false,
				description:
					'Whether an unreachable server gives an item with reachable: false (for monitoring workflows) instead of an error',
			},
		],
	},
];

export const description = forOperation('server', 'getStatus', properties);

export async function execute(
	this: IExecuteFunctions,
	http: ServerHttp,
	credentials: ICredentialDataDecryptedObject,
): Promise<INodeExecutionData[]> {
	return await mapItems(
		this,
		async (i) => {
			const options = this.getNodeParameter('options', i, {}) as IDataObject;
			if (options.unreachableAsItem !== true) return (await getServerStatus(http)) as unknown as IDataObject;
			return await getServerStatus(http).then(
				(status) => status as unknown as IDataObject,
				(error: unknown) => ({ reachable: false, error: errorMessage(error, credentials) }),
			);
		},
		credentials,
	);
}
