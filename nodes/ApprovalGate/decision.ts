import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { AgreementLabel } from '../../lib/agreement';
import {
	gatherDatasetFacts,
	type ApprovalFacts,
	type ApprovalRecord,
	type ApprovalRules,
	type CheckResult,
	type Decision,
} from '../../lib/approvals';
import { DatasetNotFoundError, ProdigyInputError } from '../../lib/errors';
import type { JsonObject, ProdigyStore } from '../../lib/store/types';
import type { VersionSummary } from '../../lib/versions';

export const APPROVED = 0;
export const REJECTED = 1;
export const TIMED_OUT = 2;

/**
 * The one rule for the Timed Out output: the canvas (TIMED_OUT_CONDITION, an expression over $parameter), the
 * waiting execution and the approver's webhook all read it from here, so they cannot disagree on the outputs.
 */
const TIMED_OUT_WHEN = { mode: 'human', limitWaitTime: true, onTimeout: 'timedOutOutput' } as const;

export const TIMED_OUT_CONDITION = Object.entries(TIMED_OUT_WHEN)
	.map(([name, value]) => `$parameter[${JSON.stringify(name)}] === ${JSON.stringify(value)}`)
	.join(' && ');

/** How many outputs the node has, given a reader of its (item 0) parameters. */
export function outputCount(parameter: (name: keyof typeof TIMED_OUT_WHEN) => unknown): number {
	const timedOut = (Object.keys(TIMED_OUT_WHEN) as Array<keyof typeof TIMED_OUT_WHEN>).every(
		(name) => parameter(name) === TIMED_OUT_WHEN[name],
	);
	return timedOut ? 3 : 2;
}

interface RuleParameters extends ApprovalRules {
	agreementBy?: AgreementLabel;
}

export interface GateFacts {
	facts: ApprovalFacts;
	/** Present when the facts were computed from the dataset: the version they describe. */
	version?: VersionSummary;
	/** Shown on the approver page. */
	summary: JsonObject;
}

/** What every output item carries under the decision field, whichever mode decided. */
export interface DecisionJson extends IDataObject {
	decision: Decision;
	approved: boolean;
	dataset: string;
	versionId: string | null;
	mode: 'rules' | 'human';
	reasons: string[];
	checks: CheckResult[];
	approver: string | null;
	decidedAt: string;
}

export function readRules(ctx: IExecuteFunctions, itemIndex: number): { rules: ApprovalRules; agreementBy: AgreementLabel } {
	const raw = ctx.getNodeParameter('rules', itemIndex, {}) as RuleParameters;
	const rules: ApprovalRules = { ...raw };
	delete (rules as RuleParameters).agreementBy;
	if (typeof rules.requiredVersionId === 'string' && rules.requiredVersionId.trim() === '') delete rules.requiredVersionId;
	return { rules, agreementBy: raw.agreementBy ?? 'answer' };
}

export function readItemFacts(ctx: IExecuteFunctions, itemIndex: number): GateFacts {
	const raw = ctx.getNodeParameter('facts', itemIndex, {}) as IDataObject;
	const facts: ApprovalFacts = {};
	for (const key of ['annotations', 'annotators', 'rejectShare', 'ignoreShare', 'kappa', 'percentAgreement'] as const) {
		if (raw[key] === undefined || raw[key] === '') continue;
		const value = Number(raw[key]);
		if (!Number.isFinite(value)) {
			throw new ProdigyInputError(`Fact "${key}" is not a number: ${JSON.stringify(raw[key])}`, { index: itemIndex });
		}
		facts[key] = value;
	}
	const versionId = typeof raw.versionId === 'string' ? raw.versionId.trim() : '';
	if (versionId) facts.versionId = versionId;
	return { facts, summary: { ...facts } as JsonObject };
}

export async function datasetFacts(store: ProdigyStore, dataset: string, agreementBy: AgreementLabel): Promise<GateFacts> {
	if (!(await store.hasSchema()) || !(await store.getDataset(dataset))) {
		throw new DatasetNotFoundError(dataset);
	}
	const gathered = await gatherDatasetFacts(store, dataset, { agreementBy });
	const { counts, agreement } = gathered;
	return {
		facts: gathered.facts,
		version: gathered.version,
		summary: {
			Examples: counts.total,
			Answers: `${counts.accept} accept, ${counts.reject} reject, ${counts.ignore} ignore`,
			Annotators: gathered.annotatorIds.join(', ') || '(none recorded)',
			Agreement:
				agreement.kappa === null
					? 'not measurable (no input has two annotators)'
					: `kappa ${agreement.kappa.toFixed(3)} (${agreement.method}), ${((agreement.percentAgreement ?? 0) * 100).toFixed(1)}% over ${agreement.subjects} inputs`,
		},
	};
}

export function decisionJson(
	dataset: string,
	versionId: string | null,
	approval: Pick<ApprovalRecord, 'decision' | 'reasons' | 'approver' | 'time' | 'mode' | 'comment' | 'requestId'>,
	checks: CheckResult[],
): DecisionJson {
	const json: DecisionJson = {
		decision: approval.decision,
		approved: approval.decision === 'approved',
		dataset,
		versionId,
		mode: approval.mode,
		reasons: approval.reasons,
		checks,
		approver: approval.approver,
		decidedAt: approval.time,
	};
	if (approval.comment) json.comment = approval.comment;
	if (approval.requestId) json.requestId = approval.requestId;
	return json;
}

export function fieldName(value: unknown): string {
	const field = String(value ?? '').trim();
	return field === '' ? 'approval' : field;
}

export function resultField(ctx: IExecuteFunctions): string {
	return fieldName(ctx.getNodeParameter('resultField', 0, 'approval'));
}

