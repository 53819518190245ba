import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { planBatches } from '../../../../lib/batches';
import { ProdigyInputError } from '../../../../lib/errors';
import { answerProblem, giveAnswers } from '../../../../lib/server';
import type { Task } from '../../../../lib/store/types';
import { forOperation } from '../../../shared/descriptions';
import { errorItem } from '../../../shared/items';
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

/**
 * Submit Answers: items are checked first (a bad one gets an error, or stops the run before anything is sent),
 * then answers go out per session in batches. A failed request fails the items whose answers it carried.
 */
export async function execute(this: IExecuteFunctions, { http, nodeError: toError }: ServerRun): Promise<INodeExecutionData[]> {
	const items = this.getInputData();
	const continueOnFail = this.continueOnFail();
	const sessionId = sessionResolver(this, http);
	const outputs: INodeExecutionData[][] = items.map(() => []);
	const entries: Array<{ itemIndex: number; answer: Task; session: string | null; answersPerRequest: number }> = [];
	const fail = (error: unknown, itemIndexes: number[]) => {
		const nodeError = toError(error, itemIndexes[0]);
		if (!continueOnFail) throw nodeError;
		for (const itemIndex of itemIndexes) outputs[itemIndex] = [errorItem(nodeError.message, itemIndex)];
	};

	const counts = items.map(() => 0);
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const answers = answersOf(this, itemIndex, items[itemIndex]);
			const session = await sessionId(itemIndex);
			const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
			// Batch Size in the editor: answers per request; the first item of a session decides it.
			const answersPerRequest = Math.max(1, Math.floor(Number(options.batchSize) || 50));
			for (const answer of answers) entries.push({ itemIndex, answer, session, answersPerRequest });
			counts[itemIndex] = answers.length;
			outputs[itemIndex] = [{ json: { submitted: answers.length, session_id: session }, pairedItem: { item: itemIndex } }];
		} catch (error) {
			fail(error, [itemIndex]);
		}
	}

	for (const batch of planBatches(entries, (entry) => entry.session, (entry) => entry.answersPerRequest)) {
		const itemIndexes = [...new Set(batch.map((entry) => entry.itemIndex))];
		try {
			const result = await giveAnswers(http, batch.map((entry) => entry.answer), batch[0].session);
			for (const itemIndex of itemIndexes) {
				const [output] = outputs[itemIndex];
				if (output && !('error' in output.json)) output.json.progress = result.progress;
			}
		} catch (error) {
			fail(error, itemIndexes);
		}
	}
	return outputs.flat();
}
