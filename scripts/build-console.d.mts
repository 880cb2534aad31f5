// Types of scripts/build-console.mjs for the TypeScript that imports it (the console server, tests).
export declare const CONSOLE_UI_DIR: string;
export declare const CONSOLE_ASSETS_DIR: string;
export declare function consoleAssetsStale(outDir?: string): Promise<boolean>;
export declare function buildConsoleAssets(outDir?: string, options?: { minify?: boolean }): Promise<string>;
export declare function ensureConsoleAssets(outDir?: string): Promise<string>;
