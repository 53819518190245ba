// Numbers and durations as people read them (approval pages, alerts, Prodigy's meta.score). Machine fields keep
// their exact values; these are only for text a person reads.

const UNITS: Array<[name: string, ms: number]> = [
	['day', 86_400_000],
	['hour', 3_600_000],
	['minute', 60_000],
];

/**
 * A number rounded for reading: at most `decimals` decimal places (float noise such as 0.03999999999999998 goes),
 * thousands grouped ("12,345"). Anything that is not a finite number is returned as its plain string.
 */
export function formatNumber(value: unknown, decimals = 3): string {
	if (typeof value !== 'number' || !Number.isFinite(value)) return String(value);
	return value.toLocaleString('en-US', { maximumFractionDigits: decimals });
}

/** A number rounded to `decimals` places, still a number (for fields people read, e.g. meta.score). */
export function roundTo(value: number, decimals: number): number {
	if (!Number.isFinite(value)) return value;
	const rounded = Number(value.toFixed(decimals));
	return Object.is(rounded, -0) ? 0 : rounded;
}

/**
 * A duration in its two largest units: "636 days 15 hours", "2 hours 5 minutes", "45 minutes"; under a minute
 * "less than a minute". Whole units only, rounded down (an idle time is "at least this long").
 */
export function formatDuration(ms: number): string {
	if (!Number.isFinite(ms) || ms < 60_000) return 'less than a minute';
	const parts: string[] = [];
	let rest = Math.floor(ms);
	for (const [name, size] of UNITS) {
		const count = Math.floor(rest / size);
		rest -= count * size;
		if (count > 0 || parts.length > 0) parts.push(count === 1 ? `1 ${name}` : `${count} ${name}s`);
		if (parts.length === 2) break;
	}
	return parts.filter((part) => !part.startsWith('0 ')).join(' ');
}
