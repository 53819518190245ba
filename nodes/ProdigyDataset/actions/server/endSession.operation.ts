import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { ProdigyInputError } from '../../../../lib/errors';
import { endSession } from '../../../../lib/server';
import { forOperation } from '../../../shared/descriptions';
import type { ServerRun } from './transport';
import { sessionParameter, sessionResolver } from './session';

const properties: INodeProperties[] = [sessionParameter(true)];

export const description = forOperation('server', 'endSession', properties);

export async function execute(this: IExecuteFunctions, { http, eachItem }: ServerRun): Promise<INodeExecutionData[]> {
	const sessionId = sessionResolver(this, http);
	return await eachItem(async (i) => {
		const session = await sessionId(i);
		if (!session) throw new ProdigyInputError('No session name given', { hint: 'Give the session to end, e.g. alex.' });
		const response = await endSession(http, session);
		return { ended: true, session_id: session, response };
	});
}
