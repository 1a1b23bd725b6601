export declare function insideGitRepo(dir: string): boolean;
export declare function demoCandidates(env?: NodeJS.ProcessEnv): string[];
export declare function demoFolder(opts?: { source?: string; candidates?: string[] }): string;
