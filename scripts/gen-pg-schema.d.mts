export declare const SOURCE: string;
export declare const TWIN: string;
export declare function postgresTwin(source: string): string;
