/**
 * Options for a liveness or readiness action: it reports the state as it is now, so Moleculer's circuit
 * breaker must never answer for it from earlier failures. With the breaker on, 20 failed probes (a
 * backend starting up) would keep /ready at 503 for 10 s after everything was back.
 */
export const PROBE_OPTIONS = { circuitBreaker: { enabled: false } } as const;
