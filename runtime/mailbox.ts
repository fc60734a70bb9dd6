/**
 * A process's message queue: arrival order, O(1) append and take-first, and
 * selective take of the first message that matches (the others stay in
 * order). It is the runtime's one queue (queue.ts), holding messages.
 */
export { Queue as Mailbox } from "./queue";
