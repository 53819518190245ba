// Prodigy's inter-annotator agreement measures (metric.iaa.binary / .doc / .span): percent agreement,
// Krippendorff's alpha, Gwet's AC2 and pairwise span F1. Cohen's / Fleiss' kappa (../agreement) are not among them.
export { reliabilityCoefficients, krippendorffAlpha, gwetAC2 } from './coefficients';
export type { Rating, UnitRatings, ObservedExpected, ReliabilityCoefficients, CoefficientOptions } from './coefficients';
export { pairwiseF1 } from './pairwiseF1';
export type { AnnotatorItems, PairAgreement, PairwiseF1Result } from './pairwiseF1';
export { IaaAccumulator, IAA_METRICS, binaryAgreement, docAgreement, spanAgreement } from './prodigy';
export type { IaaMetric, IaaOptions, IaaSkipped, IaaStats, IaaResult, SpanIaaResult, IaaHashes } from './prodigy';
