import type { Command } from 'commander';
export function registerLicenseCommands(_program: Command): void {}
