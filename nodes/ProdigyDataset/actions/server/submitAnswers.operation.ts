import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { ProdigyInputError } from '../../../../lib/errors';
import { answerProblem, giveAnswers } from '../../../../lib/server';
import type { Task } from '../../../../lib/store/types';
import { forOperation } from '../../../shared/descriptions';
import type { BatchPlan } from '../../../shared/items';
import type { ServerRun } from './transport';
import { sessionParameter, sessionResolver } from './session';

const properties: INodeProperties[] = [
	sessionParameter(false),
	{
		displayName: 'Answers From',
		name: 'answersFrom',
		type: 'options',
		options: [
			{
				name: 'Whole Item',
				value: 'item',
				description: 'Each item is one answered task (e.g. from Get Questions with an "answer" field added)',
			},
			{ name: 'Field', value: 'field', description: 'A field of each item holds a list of answered tasks' },
		],
		default: 'item',
		description: 'Where the answers are in the incoming items',
	},
	{
		displayName: 'Field Name',
		name: 'answersField',
		type: 'string',
		default: 'answers',
		required: true,
		placeholder: 'e.g. answers',
		description: 'The field that holds the list of answers (dots reach into nested fields, e.g. result.answers)',
		displayOptions: { show: { answersFrom: ['field'] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Batch Size',
				name: 'batchSize',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 50,
				description: 'Answers sent per request',
			},
		],
	},
];

export const description = forOperation('server', 'submitAnswers', properties);

function readPath(json: IDataObject, path: string): unknown {
	let value: unknown = json;
	for (const key of path.split('.')) {
		if (typeof value !== 'object' || value === null) return undefined;
		value = (value as IDataObject)[key];
	}
	return value;
}

function answersOf(ctx: IExecuteFunctions, itemIndex: number, item: INodeExecutionData): Task[] {
	const from = ctx.getNodeParameter('answersFrom', itemIndex, 'item') as string;
	let answers: unknown[];
	if (from === 'field') {
		const path = (ctx.getNodeParameter('answersField', itemIndex, 'answers') as string).trim();
		const value = readPath(item.json, path);
		if (!Array.isArray(value)) {
			throw new ProdigyInputError(`The field "${path}" is not a list of answers`, {
				hint: 'Point Field Name at a list of answered tasks, or use Answers From: Whole Item.',
			});
		}
		answers = value;
	} else {
		answers = [item.json];
	}
	answers.forEach((answer, index) => {
		const problem = answerProblem(answer);
		if (problem) {
			const which = from === 'field' ? `Answer ${index + 1}` : 'The item';
			throw new ProdigyInputError(`${which} ${problem}`, {
				hint: 'Send tasks received from Get Questions with an "answer" field (accept, reject or ignore) added.',
			});
		}
	});
	// Copies: the items stay as they are for other branches of the workflow.
	return answers.map((answer) => structuredClone(answer) as Task);
}

/** "3" or "3-5": answers by their place in the item's list, counted from 1. */
function span(first: number, last: number): string {
	return first === last ? String(first) : `${first}-${last}`;
}

/** One item's answers, ready to send; `group` is the server session they go to. */
interface PreparedAnswers extends BatchPlan<Task> {
	session: string | null;
}

/**
 * Submit Answers: items are checked first (a bad one gets an error, or stops the run before anything is sent),
 * then answers go out per session in batches. A failed request fails the items whose answers it carried, and
 * their later answers are not sent.
 */
export async function execute(this: IExecuteFunctions, { http, eachItemInBatches }: ServerRun): Promise<INodeExecutionData[]> {
	const sessionId = sessionResolver(this, http);
	return await eachItemInBatches<PreparedAnswers, Task, number | null>({
		prepare: async (itemIndex, item) => {
			const entries = answersOf(this, itemIndex, item);
			const session = await sessionId(itemIndex);
			const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
			// Batch Size in the editor: answers per request; the first item of a session decides it.
			return { entries, session, group: session, perBatch: Math.max(1, Math.floor(Number(options.batchSize) || 50)) };
		},
		write: async (batch) => {
			const { progress } = await giveAnswers(http, batch.map(({ entry }) => entry), batch[0].item.session);
			return batch.map(() => progress);
		},
		output: (item, progress) => {
			const json: IDataObject = { submitted: item.entries.length, session_id: item.session };
			// The server's progress after the last request that carried this item's answers.
			if (progress.length) json.progress = progress[progress.length - 1];
			return json;
		},
		// Only the answers of earlier requests are known to have arrived; whether the server kept any of the failed
		// request's is not known, so the note does not say.
		stopped: (_item, _progress, { written, inFailedBatch, total }) => {
			if (written === 0) return {};
			const failedTo = written + inFailedBatch;
			const notSent = failedTo < total ? `; ${span(failedTo + 1, total)} ${failedTo + 1 === total ? 'was' : 'were'} not sent` : '';
			return {
				note: `answer${written === 1 ? '' : 's'} ${span(1, written)} of this item ${written === 1 ? 'was' : 'were'} sent, the request with ${span(written + 1, failedTo)} failed${notSent}`,
			};
		},
	});
}
