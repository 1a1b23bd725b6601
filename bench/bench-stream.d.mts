export declare const benchDelta: (i: number) => string;
export declare function benchText(n: number): string;
