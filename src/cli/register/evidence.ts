/** `lifeline evidence read` (src/cli/commands/evidence.ts, loaded when it runs: tesseract.js and sharp are large). */
import type { Command } from 'commander';
import { lazyAction } from '../output.js';

export function registerEvidenceCommands(program: Command): void {
  program
    .command('evidence')
    .description("read customers' GitLab screenshots")
    .command('read')
    .description(
      'read plan, dates and user counts from screenshots (PNG, JPEG, WebP); exit 0 read, 1 nothing',
    )
    .argument('<image...>', 'screenshot files')
    .option('--json', 'print the evidence as JSON')
    .option('--timeout <seconds>', 'OCR time limit per image (default 20; not with --keep)')
    .option('--keep', 'keep the read in the database and print its id, for `issue --evidence-id`')
    .option('--engineer <name>', 'who had it read, with --keep (default: the OS user)')
    .action(
      lazyAction(
        () => import('../commands/evidence.js'),
        (m) => m.evidenceRead,
      ),
    );
}
