// Get Many, Export and Count import their filters from here; the description and its reader are shared with the
// Prodigy Dataset Trigger, so they live in nodes/shared (a node never imports another node's folder).
export { exampleFilters, readFilters } from '../../../shared/filters';
