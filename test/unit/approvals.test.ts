import {
	ApprovalRequestClosedError,
	decideApprovalRequest,
	evaluateRules,
	gatherDatasetFacts,
	hasApproval,
	hasRules,
	latestApproval,
	openApprovalRequest,
	recordDecision,
	sweepExpiredRequests,
	type ApprovalRecord,
	type ApprovalRequest,
} from '../../lib/approvals';
import { openStore } from '../../lib/store';
import type { ProdigyStore } from '../../lib/store/types';
import { computeVersion, findVersion } from '../../lib/versions';
import { createTestDatabase, type TestDatabase } from '../helpers/databases';

describe('evaluateRules', () => {
	const facts = {
		annotations: 120,
		annotators: 3,
		rejectShare: 0.25,
		ignoreShare: 0.05,
		kappa: 0.41,
		percentAgreement: 0.8,
		agreementSubjects: 40,
		versionId: 'a1b2c3d4e5f6'.padEnd(64, '0'),
	};

	it('approves when every configured rule passes and lists each check with value and limit', () => {
		const outcome = evaluateRules(facts, { minAnnotations: 100, minAnnotators: 2, maxRejectShare: 0.3, minAgreement: 0.4 });
		expect(outcome.decision).toBe('approved');
		expect(outcome.reasons).toEqual([]);
		expect(outcome.checks).toEqual([
			{ check: 'minAnnotations', value: 120, limit: 100, passed: true, reason: 'Annotations 120 is at least 100' },
			{ check: 'minAnnotators', value: 3, limit: 2, passed: true, reason: 'Distinct annotators 3 is at least 2' },
			{ check: 'maxRejectShare', value: 0.25, limit: 0.3, passed: true, reason: 'Reject share 0.25 is at most 0.3' },
			{
				check: 'minAgreement',
				value: 0.41,
				limit: 0.4,
				passed: true,
				reason: 'Agreement (kappa) 0.41 (over 40 inputs with two or more annotators) is at least 0.4',
			},
		]);
	});

	it('rejects with the reasons of every failed check; limits are inclusive', () => {
		const outcome = evaluateRules(facts, {
			minAnnotations: 120,
			maxIgnoreShare: 0.01,
			minAgreement: 0.9,
			agreementMetric: 'percent',
			requiredVersionId: 'ffffffff',
		});
		expect(outcome.decision).toBe('rejected');
		expect(outcome.checks.map((check) => [check.check, check.passed])).toEqual([
			['minAnnotations', true],
			['maxIgnoreShare', false],
			['minAgreement', false],
			['requiredVersion', false],
		]);
		expect(outcome.reasons).toEqual([
			'Ignore share 0.05 is above the maximum 0.01',
			'Agreement (percent) 0.8 (over 40 inputs with two or more annotators) is below the minimum 0.9',
			`Version ${facts.versionId} is not the required version ffffffff`,
		]);
	});

	it('fails a rule whose fact is unknown (never approves the unknown)', () => {
		const outcome = evaluateRules({ kappa: null, agreementSubjects: 0 }, { minAgreement: 0.2, minAnnotations: 1 });
		expect(outcome.decision).toBe('rejected');
		expect(outcome.reasons).toEqual([
			'Annotations: no value, required at least 1',
			'Agreement (kappa): no value (no input was annotated by two or more annotators), required at least 0.2',
		]);
	});

	it('matches a required version by full id or a prefix of 8+ characters', () => {
		expect(evaluateRules(facts, { requiredVersionId: 'A1B2C3D4' }).decision).toBe('approved');
		expect(evaluateRules(facts, { requiredVersionId: 'a1b2c3' }).decision).toBe('rejected');
		expect(evaluateRules(facts, { requiredVersionId: facts.versionId }).decision).toBe('approved');
	});

	it('knows whether any rule is configured', () => {
		expect(hasRules({})).toBe(false);
		expect(hasRules({ requiredVersionId: '  ' })).toBe(false);
		expect(hasRules({ maxRejectShare: 0 })).toBe(true);
	});
});

describe('hasApproval', () => {
	const record = (versionId: string, decision: 'approved' | 'rejected'): ApprovalRecord => ({
		versionId,
		decision,
		approver: null,
		reasons: [],
		time: '2024-01-01T00:00:00.000Z',
		mode: 'rules',
	});

	it('follows the latest decision about that exact version', () => {
		const meta = { approvals: [record('v1', 'approved'), record('v2', 'rejected'), record('v1', 'rejected'), record('v2', 'approved')] };
		expect(hasApproval(meta, 'v1')).toBe(false);
		expect(hasApproval(meta, 'v2')).toBe(true);
		expect(hasApproval(meta, 'v3')).toBe(false);
		expect(hasApproval({}, 'v1')).toBe(false);
		expect(latestApproval(meta, 'v1')).toEqual(record('v1', 'rejected'));
	});

	it('refuses an "approvals" meta field that is not a list', () => {
		expect(() => hasApproval({ approvals: { v1: true } }, 'v1')).toThrow(/not a list/);
	});
});

describe('sweepExpiredRequests', () => {
	it('turns expired requests into timeout rejections and keeps the others pending', () => {
		const request = (id: string, expiresAt: string | null): ApprovalRequest => ({
			id,
			versionId: 'v',
			checks: [],
			rulesDecision: null,
			createdAt: '2024-01-01T00:00:00.000Z',
			expiresAt,
		});
		const meta = { approvalRequests: [request('old', '2024-01-01T01:00:00.000Z'), request('open', null), request('later', '2024-01-03T00:00:00.000Z')] };
		const { meta: swept, expired } = sweepExpiredRequests(meta, new Date('2024-01-02T00:00:00Z'));
		expect(expired).toEqual([
			{ versionId: 'v', decision: 'rejected', approver: null, reasons: ['timeout'], time: '2024-01-01T01:00:00.000Z', mode: 'human', requestId: 'old' },
		]);
		expect((swept.approvalRequests as ApprovalRequest[]).map((entry) => entry.id)).toEqual(['open', 'later']);
		expect(swept.approvals).toEqual(expired);
	});
});

describe('approvals in a real Prodigy database (SQLite)', () => {
	let db: TestDatabase;
	let store: ProdigyStore;

	beforeEach(async () => {
		db = await createTestDatabase('sqlite');
		store = openStore(db.config);
		// Inputs p, q, r, s answered by alex and sam; t by alex only; u has no answer; v has no annotator.
		const both: Array<[string, string, string]> = [
			['p', 'accept', 'accept'],
			['q', 'accept', 'reject'],
			['r', 'reject', 'reject'],
			['s', 'ignore', 'accept'],
		];
		await store.addExamples('news', [
			...both.flatMap(([text, alex, sam]) => [
				{ text, answer: alex, _annotator_id: 'news-alex' },
				{ text, answer: sam, _annotator_id: 'news-sam' },
			]),
			{ text: 't', answer: 'accept', _annotator_id: 'news-alex' },
			{ text: 'u' },
			{ text: 'v', answer: 'reject' },
		]);
	});

	afterEach(async () => {
		await store.close();
		await db.cleanup();
	});

	it('gathers counts, shares, annotators, agreement and the version in one pass', async () => {
		const result = await gatherDatasetFacts(store, 'news', { pageSize: 3 });
		expect(result.counts).toEqual({ accept: 5, reject: 4, ignore: 1, none: 1, total: 11 });
		expect(result.annotatorIds).toEqual(['news-alex', 'news-sam']);
		// Cohen over p, q, r, s: alex = [a, a, r, i], sam = [a, r, r, a]; agree on p and r → p_o = 0.5.
		// alex: a 2/4, r 1/4, i 1/4; sam: a 2/4, r 2/4 → p_e = 0.5*0.5 + 0.25*0.5 + 0 = 0.375;
		// kappa = (0.5 - 0.375) / 0.625 = 0.2.
		expect(result.agreement).toMatchObject({ subjects: 4, annotators: 2, method: 'cohen', percentAgreement: 0.5 });
		expect(result.facts.kappa).toBeCloseTo(0.2, 12);
		expect(result.facts).toMatchObject({ annotations: 10, annotators: 2, rejectShare: 0.4, ignoreShare: 0.1, agreementSubjects: 4 });
		expect(result.version).toEqual(await computeVersion(store, 'news'));
		expect(result.facts.versionId).toBe(result.version.id);
	});

	it('records a rules decision together with its version, appending to the audit trail', async () => {
		const { version, facts } = await gatherDatasetFacts(store, 'news');
		const outcome = evaluateRules(facts, { minAnnotations: 5 });
		const approval: ApprovalRecord = {
			versionId: version.id,
			decision: outcome.decision,
			approver: null,
			reasons: outcome.reasons,
			time: '2024-05-01T12:00:00.000Z',
			mode: 'rules',
			checks: outcome.checks,
		};
		await recordDecision(store, 'news', approval, { summary: version });
		await recordDecision(store, 'news', { ...approval, decision: 'rejected', reasons: ['changed my mind'] }, { summary: version });
		const meta = (await store.getDataset('news'))?.meta ?? {};
		expect(meta.approvals).toEqual([approval, { ...approval, decision: 'rejected', reasons: ['changed my mind'] }]);
		expect((meta.versions as unknown[]).length).toBe(1);
		expect(findVersion(meta, version.id)?.count).toBe(11);
		expect(hasApproval(meta, version.id)).toBe(false);
	});

	it('decides a pending human request exactly once', async () => {
		const { version } = await gatherDatasetFacts(store, 'news');
		const request: ApprovalRequest = {
			id: 'req-1',
			versionId: version.id,
			checks: [],
			rulesDecision: null,
			createdAt: '2024-05-01T12:00:00.000Z',
			expiresAt: null,
			executionId: '42',
		};
		await openApprovalRequest(store, 'news', request, { summary: version });
		let meta = (await store.getDataset('news'))?.meta ?? {};
		expect(meta.approvalRequests).toEqual([request]);
		expect(findVersion(meta, version.id)).not.toBeNull();

		const now = new Date('2024-05-01T12:30:00Z');
		const { approval } = await decideApprovalRequest(store, 'news', 'req-1', { decision: 'approved', approver: 'Dana', comment: 'looks good', now });
		expect(approval).toEqual({
			versionId: version.id,
			decision: 'approved',
			approver: 'Dana',
			reasons: ['approved by a person'],
			time: '2024-05-01T12:30:00.000Z',
			mode: 'human',
			checks: [],
			requestId: 'req-1',
			comment: 'looks good',
			executionId: '42',
		});
		meta = (await store.getDataset('news'))?.meta ?? {};
		expect(meta.approvalRequests).toEqual([]);
		expect(hasApproval(meta, version.id)).toBe(true);

		const again = decideApprovalRequest(store, 'news', 'req-1', { decision: 'rejected', approver: 'Eve', now });
		await expect(again).rejects.toThrow(ApprovalRequestClosedError);
		await expect(decideApprovalRequest(store, 'news', 'req-1', { decision: 'rejected', approver: 'Eve', now })).rejects.toMatchObject({
			decided: expect.objectContaining({ approver: 'Dana', decision: 'approved' }),
		});
		meta = (await store.getDataset('news'))?.meta ?? {};
		expect((meta.approvals as unknown[]).length).toBe(1);
	});

	it('refuses to decide an expired request and records the timeout instead', async () => {
		const request: ApprovalRequest = {
			id: 'req-2',
			versionId: 'v',
			checks: [],
			rulesDecision: 'approved',
			createdAt: '2024-05-01T12:00:00.000Z',
			expiresAt: '2024-05-01T13:00:00.000Z',
		};
		await openApprovalRequest(store, 'news', request);
		const late = decideApprovalRequest(store, 'news', 'req-2', { decision: 'approved', approver: 'Dana', now: new Date('2024-05-01T14:00:00Z') });
		await expect(late).rejects.toMatchObject({ decided: expect.objectContaining({ decision: 'rejected', reasons: ['timeout'] }) });
		const meta = (await store.getDataset('news'))?.meta ?? {};
		expect(meta.approvalRequests).toEqual([]);
		expect(meta.approvals).toEqual([
			{ versionId: 'v', decision: 'rejected', approver: null, reasons: ['timeout'], time: '2024-05-01T13:00:00.000Z', mode: 'human', requestId: 'req-2' },
		]);
	});
});
