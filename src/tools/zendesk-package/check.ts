/** Every rule Zendesk (and Lifeline) applies to a package, in one call. */
import { checkAssets, checkFiles } from './assets.js';
import { checkManifest } from './manifest-schema.js';
import type { PackageFiles, PackageProblem } from './problems.js';
import { checkTranslations } from './translations.js';

/** Every problem of the package, in the order: manifest, translations, assets, files. */
export function checkPackage(files: PackageFiles): PackageProblem[] {
  const problems: PackageProblem[] = [];
  const manifest = checkManifest(files, problems);
  checkTranslations(files, manifest, problems);
  checkAssets(files, problems);
  checkFiles(files, problems);
  return problems;
}
