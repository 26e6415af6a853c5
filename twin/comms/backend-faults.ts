// The faults a scenario can set on the top-up backend (topup-backend.ts says what each does). Apart from the backend,
// so that the scenario language can check a `fault:` without loading the backend and its HTTP server on every run.
export const BACKEND_FAULTS = ['none', 'wrong-key', 'database-error', 'html-error', 'slow', 'lose-success'] as const;
export type BackendFault = (typeof BACKEND_FAULTS)[number];
