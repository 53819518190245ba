import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { getServerStatus } from '../../../../lib/server';
import { forOperation } from '../../../shared/descriptions';
import type { ServerRun } from './transport';

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

export async function execute(this: IExecuteFunctions, { http, eachItem, errorMessage }: ServerRun): Promise<INodeExecutionData[]> {
	return await eachItem(async (i) => {
		const options = this.getNodeParameter('options', i, {}) as IDataObject;
		if (options.unreachableAsItem !== true) return (await getServerStatus(http)) as unknown as IDataObject;
		return await getServerStatus(http).then(
			(status) => status as unknown as IDataObject,
			(error: unknown) => ({ reachable: false, error: errorMessage(error) }),
		);
	});
}
