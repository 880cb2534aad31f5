// Types for scripts/setup.mjs (plain JavaScript so that it runs before `npm ci`).
export interface SystemPackage {
  /** The Debian package name. */
  pkg: string;
  /** Absolute paths of the files it provides that byok uses (programs and PKCS#11 modules). */
  provides: string[];
  why: string;
}
export declare const SYSTEM_PACKAGES: readonly SystemPackage[];
export declare function missingPackages(
  packages?: readonly SystemPackage[],
  exists?: (path: string) => boolean,
): string[];
/** README's package list (between its system-packages markers), generated from `packages`. */
export declare function packagesMarkdown(packages?: readonly SystemPackage[]): string;
/** README.md's text with its package list regenerated (`node scripts/setup.mjs --readme`). */
export declare function withPackageList(readme: string, packages?: readonly SystemPackage[]): string;
