import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { toPlainJson } from '../../../../lib/json';
import { getSessionQuestions } from '../../../../lib/server';
import { forOperation } from '../../../shared/descriptions';
import type { ServerRun } from './transport';
import { sessionParameter, sessionResolver } from './session';

const properties: INodeProperties[] = [
	{
		displayName:
			'Getting questions takes them out of the server\'s queue: annotators will not see them unless answers are submitted for them',
		name: 'consumesNotice',
		type: 'notice',
		default: '',
	},
	sessionParameter(false),
];

export const description = forOperation('server', 'getQuestions', properties);

export async function execute(this: IExecuteFunctions, { http, eachItem }: ServerRun): Promise<INodeExecutionData[]> {
	const sessionId = sessionResolver(this, http);
	return await eachItem(async (i) => {
		const result = await getSessionQuestions(http, await sessionId(i));
		// One item per task, so answers can be added per item and sent back with Submit Answers.
		return result.tasks.map((task) => toPlainJson(task) as IDataObject);
	});
}
