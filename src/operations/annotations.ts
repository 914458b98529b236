/** The four annotation presets every operation picks from, so read/write hints stay consistent. */
export const read = { readOnlyHint: true, destructiveHint: false, idempotentHint: true } as const;
export const write = { readOnlyHint: false, destructiveHint: false, idempotentHint: false } as const;
export const idempotentWrite = { readOnlyHint: false, destructiveHint: false, idempotentHint: true } as const;
export const destructive = { readOnlyHint: false, destructiveHint: true, idempotentHint: true } as const;
