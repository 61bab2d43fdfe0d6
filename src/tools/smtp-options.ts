/** The loopback SMTP stand-in's server options, for the bench and the chaos run. */
export const LOOPBACK_SMTP_OPTIONS = {
  secure: false,
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  closeTimeout: 100,
  size: 10 * 1024 * 1024,
} as const;
