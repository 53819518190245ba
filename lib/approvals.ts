// Approval governance for datasets: rule checks (counts, annotators, reject / ignore share, inter-annotator
// agreement, a required version), the audit trail of decisions in the dataset's meta (`approvals`), and human
// approval requests that wait for a person (`approvalRequests`). Export's "require an approval" reads
// `hasApproval`. Everything is kept in the dataset meta, so it survives restarts and works across n8n workers.
import { createHash, timingSafeEqual } from 'node:crypto';

import { AgreementAccumulator, annotatorOf } from './agreement';
import type { AgreementLabel, AgreementResult } from './agreement';
import { ProdigyInputError } from './errors';
import { AnswerTally, answerOf } from './store/stats';
import type { JsonObject, ProdigyStore } from './store/types';
import { VersionAccumulator, withVersion } from './versions';
import type { VersionExtras, VersionRecord, VersionSummary } from './versions';

export type Decision = 'approved' | 'rejected';
export type AgreementMetric = 'kappa' | 'percent';

export interface ApprovalRules {
	minAnnotations?: number;
	minAnnotators?: number;
	/** Highest allowed share of rejects among answered examples (0..1). */
	maxRejectShare?: number;
	maxIgnoreShare?: number;
	/** Lowest allowed agreement, measured as `agreementMetric` (default kappa). */
	minAgreement?: number;
	agreementMetric?: AgreementMetric;
	/** The data must be exactly this version (full id or a prefix of at least 8 characters). */
	requiredVersionId?: string;
}

export interface ApprovalFacts {
	annotations?: number | null;
	annotators?: number | null;
	rejectShare?: number | null;
	ignoreShare?: number | null;
	kappa?: number | null;
	percentAgreement?: number | null;
	/** Inputs the agreement was measured on (for the explanation). */
	agreementSubjects?: number | null;
	versionId?: string | null;
}

export type CheckName = 'minAnnotations' | 'minAnnotators' | 'maxRejectShare' | 'maxIgnoreShare' | 'minAgreement' | 'requiredVersion';

export interface CheckResult {
	check: CheckName;
	value: number | string | null;
	limit: number | string;
	passed: boolean;
	/** One sentence: what was measured, against what, and the verdict. */
	reason: string;
}

export interface RulesOutcome {
	decision: Decision;
	checks: CheckResult[];
	/** The reasons of the failed checks (empty when approved). */
	reasons: string[];
}

function show(value: number): string {
	return String(Number(value.toPrecision(4)));
}

function numberCheck(
	check: CheckName,
	label: string,
	value: number | null | undefined,
	limit: number,
	direction: 'min' | 'max',
	note = '',
): CheckResult {
	if (value === null || value === undefined || !Number.isFinite(value)) {
		return { check, value: null, limit, passed: false, reason: `${label}: no value${note}, required ${direction === 'min' ? 'at least' : 'at most'} ${show(limit)}` };
	}
	const passed = direction === 'min' ? value >= limit : value <= limit;
	const relation = direction === 'min' ? (passed ? 'is at least' : 'is below the minimum') : passed ? 'is at most' : 'is above the maximum';
	return { check, value, limit, passed, reason: `${label} ${show(value)}${note} ${relation} ${show(limit)}` };
}

/** Whether any rule is set (a rules-mode gate without rules would approve everything). */
export function hasRules(rules: ApprovalRules): boolean {
	return (
		rules.minAnnotations !== undefined ||
		rules.minAnnotators !== undefined ||
		rules.maxRejectShare !== undefined ||
		rules.maxIgnoreShare !== undefined ||
		rules.minAgreement !== undefined ||
		(rules.requiredVersionId !== undefined && rules.requiredVersionId.trim() !== '')
	);
}

export function versionMatches(actual: string | null | undefined, required: string): boolean {
	const wanted = required.trim().toLowerCase();
	if (!actual || wanted === '') return false;
	return actual === wanted || (wanted.length >= 8 && actual.startsWith(wanted));
}

/** Evaluates every configured rule; a missing fact fails its rule (unknown is never approved). */
export function evaluateRules(facts: ApprovalFacts, rules: ApprovalRules): RulesOutcome {
	const checks: CheckResult[] = [];
	if (rules.minAnnotations !== undefined) {
		checks.push(numberCheck('minAnnotations', 'Annotations', facts.annotations, rules.minAnnotations, 'min'));
	}
	if (rules.minAnnotators !== undefined) {
		checks.push(numberCheck('minAnnotators', 'Distinct annotators', facts.annotators, rules.minAnnotators, 'min'));
	}
	if (rules.maxRejectShare !== undefined) {
		checks.push(numberCheck('maxRejectShare', 'Reject share', facts.rejectShare, rules.maxRejectShare, 'max'));
	}
	if (rules.maxIgnoreShare !== undefined) {
		checks.push(numberCheck('maxIgnoreShare', 'Ignore share', facts.ignoreShare, rules.maxIgnoreShare, 'max'));
	}
	if (rules.minAgreement !== undefined) {
		const metric = rules.agreementMetric ?? 'kappa';
		const value = metric === 'kappa' ? facts.kappa : facts.percentAgreement;
		const subjects = facts.agreementSubjects;
		const note =
			subjects === undefined || subjects === null
				? ''
				: subjects === 0
					? ' (no input was annotated by two or more annotators)'
					: ` (over ${subjects} inputs with two or more annotators)`;
		const label = metric === 'kappa' ? 'Agreement (kappa)' : 'Agreement (percent)';
		checks.push(numberCheck('minAgreement', label, value, rules.minAgreement, 'min', note));
	}
	if (rules.requiredVersionId !== undefined && rules.requiredVersionId.trim() !== '') {
		const required = rules.requiredVersionId.trim();
		const actual = facts.versionId ?? null;
		const passed = versionMatches(actual, required);
		checks.push({
			check: 'requiredVersion',
			value: actual,
			limit: required,
			passed,
			reason: passed
				? `Version ${actual} is the required version`
				: `Version ${actual ?? '(unknown)'} is not the required version ${required}`,
		});
	}
	const failed = checks.filter((check) => !check.passed);
	return { decision: failed.length === 0 ? 'approved' : 'rejected', checks, reasons: failed.map((check) => check.reason) };
}

export interface DatasetFacts {
	facts: ApprovalFacts;
	counts: { accept: number; reject: number; ignore: number; none: number; total: number };
	annotatorIds: string[];
	agreement: AgreementResult;
	/** The dataset's current version, computed in the same pass. */
	version: VersionSummary;
}

/**
 * Everything the rules look at, in one streaming pass over the dataset (so facts and version describe the same
 * rows). Memory: the version's 32 bytes per example plus one small entry per (input, annotator) for agreement.
 */
export async function gatherDatasetFacts(
	store: ProdigyStore,
	dataset: string,
	options: { agreementBy?: AgreementLabel; pageSize?: number } = {},
): Promise<DatasetFacts> {
	const tally = new AnswerTally();
	const annotators = new Set<string>();
	const agreement = new AgreementAccumulator();
	const version = new VersionAccumulator();
	for await (const example of store.getExamples(dataset, { pageSize: options.pageSize })) {
		version.add(example);
		tally.add(example.task);
		// Only answered examples have an annotator's judgement to count or compare.
		if (answerOf(example.task) !== null) {
			const annotator = annotatorOf(example.task);
			if (annotator !== null) annotators.add(annotator);
			agreement.addTask(example.task, example.inputHash, options.agreementBy ?? 'answer', example.taskHash);
		}
	}
	const counts = { accept: tally.accept, reject: tally.reject, ignore: tally.ignore, none: tally.none, total: tally.total };
	const annotations = counts.accept + counts.reject + counts.ignore;
	const agreementResult = agreement.result();
	const summary = version.finish();
	return {
		facts: {
			annotations,
			annotators: annotators.size,
			rejectShare: annotations === 0 ? null : counts.reject / annotations,
			ignoreShare: annotations === 0 ? null : counts.ignore / annotations,
			kappa: agreementResult.kappa,
			percentAgreement: agreementResult.percentAgreement,
			agreementSubjects: agreementResult.subjects,
			versionId: summary.id,
		},
		counts,
		annotatorIds: [...annotators].sort(),
		agreement: agreementResult,
		version: summary,
	};
}

// ---------------------------------------------------------------------------------------------------------------
// Audit trail

export interface ApprovalRecord {
	versionId: string | null;
	decision: Decision;
	/** Who decided: the person's name in human mode, null for rules and timeouts. */
	approver: string | null;
	reasons: string[];
	/** ISO time of the decision. */
	time: string;
	mode: 'rules' | 'human';
	comment?: string;
	checks?: CheckResult[];
	requestId?: string;
	executionId?: string;
}

function listOf<T>(meta: JsonObject, key: string): T[] {
	const value = meta[key];
	if (value === undefined || value === null) return [];
	if (!Array.isArray(value)) {
		throw new ProdigyInputError(`The dataset meta field "${key}" is not a list`, {
			hint: `The pack records approvals there; rename the existing "${key}" meta field first.`,
		});
	}
	return value as T[];
}

export function listApprovals(meta: JsonObject): ApprovalRecord[] {
	return listOf<ApprovalRecord>(meta, 'approvals');
}

/** The most recent decision about this exact version, or null. */
export function latestApproval(meta: JsonObject, versionId: string): ApprovalRecord | null {
	const approvals = listApprovals(meta);
	for (let i = approvals.length - 1; i >= 0; i--) {
		if (approvals[i].versionId === versionId) return approvals[i];
	}
	return null;
}

/** True when the latest decision about this version approved it (a later rejection withdraws an approval). */
export function hasApproval(meta: JsonObject, versionId: string): boolean {
	return latestApproval(meta, versionId)?.decision === 'approved';
}

/** Pure: meta with the decision appended. */
export function withApproval(meta: JsonObject, approval: ApprovalRecord): JsonObject {
	return { ...meta, approvals: [...listApprovals(meta), approval] };
}

/**
 * Appends a decision to the dataset's audit trail, and (when given) records the decided version in the same
 * transaction, so an approval never refers to a version Export cannot find.
 */
export async function recordDecision(
	store: ProdigyStore,
	dataset: string,
	approval: ApprovalRecord,
	version?: { summary: VersionSummary; extras?: VersionExtras },
): Promise<{ approval: ApprovalRecord; version?: VersionRecord }> {
	let recorded: VersionRecord | undefined;
	await store.updateMeta(dataset, (meta) => {
		let next = sweepExpiredRequests(meta, new Date(approval.time)).meta;
		if (version) {
			const result = withVersion(next, version.summary, version.extras);
			next = result.meta;
			recorded = result.version;
		}
		return withApproval(next, approval);
	});
	return { approval, version: recorded };
}

// ---------------------------------------------------------------------------------------------------------------
// Human approval requests

export interface ApprovalRequest {
	/** Random id; the approver's link carries it. */
	id: string;
	versionId: string | null;
	checks: CheckResult[];
	/** Rule outcome shown to the approver (a human may approve despite failed checks, and is recorded doing so). */
	rulesDecision: Decision | null;
	createdAt: string;
	/** ISO time after which the request times out; null = waits indefinitely. */
	expiresAt: string | null;
	executionId?: string;
	/** The Approval Gate node that opened it: only that node's resume link may decide it. */
	nodeId?: string;
	/** Counts shown on the approver page. */
	summary?: JsonObject;
	/** Text for the approver, fixed when the request is made (the page never re-evaluates anything). */
	message?: string;
	/**
	 * Set when the approver got the gate's own status link (a published workflow's run) instead of n8n's resume URL:
	 * that link without its token, where the page goes once the decision is recorded.
	 */
	statusUrl?: string;
	/** The execution's resume URL for this request without n8n's resume token: where the status page's form posts. */
	resumeUrl?: string;
	/** SHA-256 of the token the status link carries (n8n's resume token): the token itself is never stored. */
	tokenHash?: string;
}

/** How a link's token is kept with its request: hashed, so whoever reads the dataset meta cannot decide. */
export function linkTokenHash(token: string): string {
	return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Whether a link's token is the one its request was opened with (false when the request keeps none). */
export function linkTokenMatches(request: ApprovalRequest, token: string): boolean {
	if (!request.tokenHash || !token) return false;
	const expected = Buffer.from(request.tokenHash, 'utf8');
	const actual = Buffer.from(linkTokenHash(token), 'utf8');
	return expected.length === actual.length && timingSafeEqual(expected, actual);
}

export function listApprovalRequests(meta: JsonObject): ApprovalRequest[] {
	return listOf<ApprovalRequest>(meta, 'approvalRequests');
}

export function findApprovalRequest(meta: JsonObject, requestId: string): ApprovalRequest | null {
	return listApprovalRequests(meta).find((request) => request.id === requestId) ?? null;
}

/**
 * Whether a request was opened by this execution's node. A resume link's query (dataset, request) can be edited and
 * request ids are visible to anyone who can read the dataset, so a link decides only its own execution's request.
 * Requests stored before nodeId was recorded are bound by execution alone.
 */
export function requestBelongsTo(request: ApprovalRequest, to: { executionId: string | undefined; nodeId: string }): boolean {
	if ((request.executionId ?? '') !== (to.executionId ?? '')) return false;
	return request.nodeId === undefined || request.nodeId === to.nodeId;
}

/** The decision a request ended with, when it ended. */
export function decisionForRequest(meta: JsonObject, requestId: string): ApprovalRecord | null {
	return listApprovals(meta).find((approval) => approval.requestId === requestId) ?? null;
}

export function isExpired(request: ApprovalRequest, now: Date): boolean {
	return request.expiresAt !== null && Date.parse(request.expiresAt) <= now.getTime();
}

/**
 * Moves expired requests into the audit trail as rejections with reason `timeout`. n8n resumes a timed-out wait
 * without running node code, so the timeout is written the next time anything decides on this dataset.
 */
export function sweepExpiredRequests(meta: JsonObject, now: Date): { meta: JsonObject; expired: ApprovalRecord[] } {
	const requests = listApprovalRequests(meta);
	const expired = requests.filter((request) => isExpired(request, now));
	if (expired.length === 0) return { meta, expired: [] };
	const records: ApprovalRecord[] = expired.map((request) => ({
		versionId: request.versionId,
		decision: 'rejected',
		approver: null,
		reasons: ['timeout'],
		time: request.expiresAt as string,
		mode: 'human',
		requestId: request.id,
		...(request.executionId ? { executionId: request.executionId } : {}),
	}));
	const remaining = requests.filter((request) => !isExpired(request, now));
	return {
		meta: { ...meta, approvals: [...listApprovals(meta), ...records], approvalRequests: remaining },
		expired: records,
	};
}

/** Stores a pending request (and the version it is about) before the execution waits. */
export async function openApprovalRequest(
	store: ProdigyStore,
	dataset: string,
	request: ApprovalRequest,
	version?: { summary: VersionSummary; extras?: VersionExtras },
): Promise<{ request: ApprovalRequest; version?: VersionRecord }> {
	let recorded: VersionRecord | undefined;
	await store.updateMeta(dataset, (meta) => {
		let next = sweepExpiredRequests(meta, new Date(request.createdAt)).meta;
		if (version) {
			const result = withVersion(next, version.summary, version.extras);
			next = result.meta;
			recorded = result.version;
		}
		return { ...next, approvalRequests: [...listApprovalRequests(next), request] };
	});
	return { request, version: recorded };
}

/** Withdraws a pending request that was never shown to anyone (its notification failed); decides nothing. */
export async function withdrawApprovalRequest(store: ProdigyStore, dataset: string, requestId: string): Promise<void> {
	await store.updateMeta(dataset, (meta) => ({
		...meta,
		approvalRequests: listApprovalRequests(meta).filter((request) => request.id !== requestId),
	}));
}

/** The request is not waiting any more (decided, timed out, or never existed). */
export class ApprovalRequestClosedError extends ProdigyInputError {
	constructor(
		message: string,
		readonly decided: ApprovalRecord | null,
	) {
		super(message);
	}
}

/**
 * Decides a pending request: removes it and appends the decision in one transaction, so two approvers clicking at
 * once produce one decision, and the second is told it was already decided.
 */
export async function decideApprovalRequest(
	store: ProdigyStore,
	dataset: string,
	requestId: string,
	decision: { decision: Decision; approver: string; comment?: string; now?: Date },
): Promise<{ approval: ApprovalRecord; request: ApprovalRequest }> {
	const now = decision.now ?? new Date();
	let outcome: { approval: ApprovalRecord; request: ApprovalRequest } | undefined;
	let closed: ApprovalRequestClosedError | undefined;
	await store.updateMeta(dataset, (meta) => {
		outcome = undefined;
		closed = undefined;
		const request = findApprovalRequest(meta, requestId);
		if (!request || isExpired(request, now)) {
			const swept = sweepExpiredRequests(meta, now).meta;
			const decided = decisionForRequest(swept, requestId);
			closed = new ApprovalRequestClosedError(
				decided ? `This approval request was already decided: ${decided.decision}` : 'This approval request is not pending',
				decided,
			);
			return swept;
		}
		const approval: ApprovalRecord = {
			versionId: request.versionId,
			decision: decision.decision,
			approver: decision.approver,
			reasons: [decision.decision === 'approved' ? 'approved by a person' : 'rejected by a person'],
			time: now.toISOString(),
			mode: 'human',
			checks: request.checks,
			requestId,
			...(decision.comment ? { comment: decision.comment } : {}),
			...(request.executionId ? { executionId: request.executionId } : {}),
		};
		outcome = { approval, request };
		// Other requests that timed out meanwhile are recorded too (n8n ran no code when they expired).
		const swept = sweepExpiredRequests(meta, now).meta;
		const remaining = listApprovalRequests(swept).filter((entry) => entry.id !== requestId);
		return { ...withApproval(swept, approval), approvalRequests: remaining };
	});
	if (closed) throw closed;
	if (!outcome) throw new Error('The store did not apply the meta update');
	return outcome;
}
