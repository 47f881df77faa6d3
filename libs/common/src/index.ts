export * from './domain-error';
export * from './canonical-json';
export * from './pagination';
export { ProblemFilter, problem, toProblem } from './problem.filter';
export type { Problem } from './problem.filter';
export { createValidationPipe } from './validation';
export { requestBodyGate, jsonDepthExceeds, findNulCharacter, DEFAULT_MAX_JSON_DEPTH } from './request-body';
export type { BodyLimits } from './request-body';
export { isTransientError } from './transient';
