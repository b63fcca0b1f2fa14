export declare const BUILD_INPUTS: { folders: string[]; files: string[] };
export declare const SERVER_BUNDLE: string;
export declare const COPY_DATA_BUNDLE: string;
export declare const FINGERPRINT_FILE: string;
export declare function sourceFingerprint(root: string): string;
export declare function buildIsCurrent(root: string, fingerprint?: string): boolean;
export declare function recordBuild(root: string, fingerprint: string): void;
