/** What the transport does with a message once it was handled: acknowledge it, or let it come again later. */
export type Settlement = 'ack' | 'retry';
