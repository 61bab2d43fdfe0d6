/**
 * The group commit's durability on SQLite: commits run with `synchronous = NORMAL`, and each write
 * then awaits one asynchronous fdatasync of the WAL file, shared by every commit made before it began.
 */
import { statSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

/**
 * Syncs its own descriptor of the `-wal` file (Linux's fdatasync flushes the file's data whichever
 * descriptor wrote it). A WAL that SQLite replaced (another inode) is reopened; one that no longer
 * exists was checkpointed into the database, which SQLite syncs itself in NORMAL mode. Writes made
 * outside the Store (tokens, sessions, rate-limit windows) are made durable by the next store
 * write's sync or SQLite's next checkpoint; losing one to a power cut is harmless.
 */
export class WalFlusher {
  private handle: FileHandle | null = null;
  private inode = -1;
  private running: Promise<void> | null = null;
  private next: Promise<void> | null = null;
  /** How many fdatasync calls were made (for tests and the bench). */
  syncs = 0;

  constructor(
    readonly walPath: string,
    private readonly syncFile: (handle: FileHandle) => Promise<void> = (h) => h.datasync(),
  ) {}

  /**
   * Resolves once everything committed before this call is on disk. A sync already running may
   * have started before the caller's commit, so such callers wait for the next one, which they share.
   */
  flush(): Promise<void> {
    if (!this.running) {
      this.running = this.sync().finally(() => {
        this.running = null;
      });
      return this.running;
    }
    this.next ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.next = null;
        return this.flush();
      });
    return this.next;
  }

  /** The sync running now (settles when it ends, never rejects), or null. */
  get syncing(): Promise<void> | null {
    return this.running ? this.running.catch(() => undefined) : null;
  }

  private async sync(): Promise<void> {
    // Synchronous: a stat of a local file's path costs microseconds, less than a round trip to the
    // thread pool.
    const current = statSync(this.walPath, { throwIfNoEntry: false });
    if (!current) return; // checkpointed and removed
    if (!this.handle || current.ino !== this.inode) {
      await this.handle?.close().catch(() => undefined);
      this.handle = await open(this.walPath, 'r+');
      this.inode = (await this.handle.stat()).ino;
    }
    this.syncs++;
    await this.syncFile(this.handle);
  }

  async close(): Promise<void> {
    await this.running?.catch(() => undefined);
    await this.next?.catch(() => undefined);
    await this.handle?.close().catch(() => undefined);
    this.handle = null;
  }
}
