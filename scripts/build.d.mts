// Types for scripts/build.mjs (plain JavaScript so that it runs with node alone).
export interface BuildStep {
  name: string;
  outdir: string;
  entryPoints: Record<string, string>;
  external: string[];
}
export interface BuildInfo {
  step: string;
  digest: string;
  inputs: string[];
  outputs: string[];
}
export declare const repoRoot: string;
export declare const cliBuild: BuildStep;
export declare const BUILDS: BuildStep[];
export declare function digestOf(files: readonly string[]): string;
export declare function buildStatus(step?: BuildStep): { current: boolean; reason: string };
export declare function build(step?: BuildStep): Promise<BuildInfo>;
export declare function ensureBuilt(steps?: BuildStep[]): Promise<string[]>;
