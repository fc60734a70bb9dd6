/** Runs `work`, showing `what` while it runs (a spinner on a terminal, else one line on stderr). */
export declare function withProgress<T>(what: string, work: () => Promise<T>): Promise<T>;
