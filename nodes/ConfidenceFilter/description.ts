import type { INodeProperties } from 'n8n-workflow';

import { datasetLocator } from '../shared/descriptions';

export const OUTPUT_NAMES = ['Needs Review', 'Confident'];
export const DISCARD_OUTPUT_NAME = 'Discard';

export const properties: INodeProperties[] = [
	{
		displayName: 'Confidence From',
		name: 'source',
		type: 'options',
		noDataExpression: true,
		default: 'field',
		options: [
			{
				name: 'Score Field',
				value: 'field',
				description: 'One number in the item, e.g. score, meta.score or prediction.confidence',
			},
			{
				name: 'Span Scores',
				value: 'spans',
				description: 'The scores of all predicted spans, combined into one (e.g. the lowest)',
			},
			{
				name: 'Class Probabilities',
				value: 'distribution',
				description: 'A list or map of class probabilities, turned into one confidence value',
			},
		],
		description: 'Where the model prediction says how sure it was',
	},
	{
		displayName: 'Score Field',
		name: 'scorePath',
		type: 'string',
		default: 'score, confidence',
		placeholder: 'e.g. prediction.confidence',
		description:
			'Path to the number in the item: dots between keys, brackets for list positions. Several paths separated by commas are looked at in order and the first one the item has is used; the default looks at score, then confidence.',
		displayOptions: { show: { source: ['field'] } },
	},
	{
		displayName: 'Span Scores Path',
		name: 'spanPath',
		type: 'string',
		default: 'spans[*].score, spans[*].confidence',
		description:
			'Path that reaches every span score; [*] stands for every element of a list. Several paths separated by commas are looked at in order and the first that reaches any value is used; the default looks at the spans\' score, then confidence.',
		displayOptions: { show: { source: ['spans'] } },
	},
	{
		displayName: 'Combine Span Scores With',
		name: 'aggregation',
		type: 'options',
		default: 'min',
		options: [
			{ name: 'Lowest (Min)', value: 'min', description: 'The item is as uncertain as its least certain span' },
			{ name: 'Average (Mean)', value: 'mean' },
			{ name: 'Highest (Max)', value: 'max' },
		],
		displayOptions: { show: { source: ['spans'] } },
	},
	{
		displayName: 'Probabilities Path',
		name: 'probabilityPath',
		type: 'string',
		default: 'cats',
		placeholder: 'e.g. prediction.probabilities',
		description:
			'Path to the class probabilities: a list of numbers, a map like {"POSITIVE": 0.8, "NEGATIVE": 0.2}, or a list of {label, score} (confidence, probability or prob are read where score is absent)',
		displayOptions: { show: { source: ['distribution'] } },
	},
	{
		displayName: 'Measure',
		name: 'measure',
		type: 'options',
		default: 'leastConfidence',
		options: [
			{
				name: 'Top Probability (Least Confidence)',
				value: 'leastConfidence',
				description: 'Confidence = probability of the most likely class',
			},
			{
				name: 'Margin',
				value: 'margin',
				description: 'Confidence = top probability minus the second; small when two classes compete',
			},
			{
				name: 'Entropy',
				value: 'entropy',
				description: 'Confidence = 1 − normalised entropy; low when probability is spread over many classes',
			},
		],
		displayOptions: { show: { source: ['distribution'] } },
	},
	{
		displayName: 'Score Scale',
		name: 'scoreScale',
		type: 'options',
		default: 'fraction',
		options: [
			{ name: '0–1', value: 'fraction', description: 'Scores and probabilities are fractions, e.g. 0.97' },
			{ name: '0–100 (Percent)', value: 'percent', description: 'Scores and probabilities are percentages, e.g. 97; divided by 100 before use' },
		],
		description:
			'How the model writes its numbers. A number outside the scale fails its item (it is never routed). The thresholds below stay 0–1 either way.',
	},
	{
		displayName: 'Review Below',
		name: 'reviewThreshold',
		type: 'number',
		typeOptions: { numberPrecision: 4 },
		default: 0.8,
		description:
			'A confidence from 0 to 1, whatever the Score Scale (0.8 = 80%). Items whose confidence is below this go to Needs Review; the others go to Confident.',
	},
	{
		displayName: 'Add Discard Output',
		name: 'discardOutput',
		type: 'boolean',
		noDataExpression: true,
		default: false,
		description: 'Whether to add a third output for items too poor to be worth reviewing',
	},
	{
		displayName: 'Discard Below',
		name: 'discardThreshold',
		type: 'number',
		typeOptions: { numberPrecision: 4 },
		default: 0.1,
		description:
			'A confidence from 0 to 1, whatever the Score Scale. Items whose confidence is below this go to Discard (checked before Review Below).',
		displayOptions: { show: { discardOutput: [true] } },
	},
	{
		displayName: 'When Confidence Is Missing',
		name: 'onMissing',
		type: 'options',
		default: 'review',
		options: [
			{ name: 'Send to Needs Review', value: 'review', description: 'The item says why its confidence could not be read' },
			{ name: 'Fail the Item', value: 'error', description: 'Stop with an error naming the item (or continue on fail)' },
		],
		description:
			'What to do when the field is absent or not a number. A number outside the Score Scale always fails the item.',
	},
	{
		displayName: 'Review Only the Most Uncertain',
		name: 'limitReview',
		type: 'boolean',
		default: false,
		description: 'Whether to keep only the K most uncertain items of this run for review (active learning)',
	},
	{
		displayName: 'Max Items for Review',
		name: 'reviewLimit',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 50,
		description: 'K: how many of the items below Review Below go to Needs Review, most uncertain first',
		displayOptions: { show: { limitReview: [true] } },
	},
	{
		displayName: 'Send the Rest To',
		name: 'overflowOutput',
		type: 'options',
		default: 'confident',
		options: [
			{ name: 'Confident', value: 'confident' },
			{ name: 'Discard', value: 'discard', description: 'Needs Add Discard Output' },
		],
		description: 'Where items below Review Below that are not among the K most uncertain go',
		displayOptions: { show: { limitReview: [true] } },
	},
	{
		displayName: 'Skip Inputs Already in a Dataset',
		name: 'skipExisting',
		type: 'boolean',
		noDataExpression: true,
		default: false,
		description:
			'Whether to leave out items whose input (by Prodigy input hash) is already in a Prodigy dataset, e.g. the review dataset. Needs the Prodigy Database credential.',
	},
	{
		...datasetLocator({
			description: 'Items whose input hash is already in this dataset are left out (sent to Discard when it exists)',
		}),
		displayOptions: { show: { skipExisting: [true] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Explanation Field',
				name: 'resultField',
				type: 'string',
				default: 'confidenceFilter',
				description:
					'Field that receives why the item went where it went (output, confidence, measure, threshold, reason). Empty to leave items unchanged.',
			},
			{
				displayName: 'Write Prodigy Score',
				name: 'writeScore',
				type: 'boolean',
				default: false,
				description:
					'Whether to set meta.score (the confidence, shown in Prodigy\'s UI) and priority (1 − confidence, higher = more uncertain), both rounded to 4 decimals. Prodigy shows meta.score; manual recipes serve tasks in the order they were added, so the review order below is what puts uncertain tasks first.',
			},
			{
				displayName: 'Review Order',
				name: 'reviewOrder',
				type: 'options',
				default: 'mostUncertainFirst',
				options: [
					{
						name: 'Most Uncertain First',
						value: 'mostUncertainFirst',
						description:
							'Needs Review lists items without a confidence first, then the most uncertain: written to a queue in this order, Prodigy serves them in this order',
					},
					{ name: 'Input Order', value: 'input', description: 'Needs Review keeps the order the items came in' },
				],
				description: 'The order of the Needs Review output (the order a queue dataset is written and served in)',
			},
			{
				displayName: 'Hash Keys',
				name: 'hashPreset',
				type: 'options',
				default: 'default',
				options: [
					{ name: 'Default (Text, Image, HTML, Input)', value: 'default' },
					{ name: 'Review Recipe', value: 'review' },
				],
				description: 'Which fields identify an input when checking the dataset (a carried _input_hash is used as is)',
			},
		],
	},
];
