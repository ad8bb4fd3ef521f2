import type { AwsClientOptions } from '../app/runtime';

export interface CliIo {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  /** Where live progress goes (a terminal's stderr); absent when nobody watches. */
  progress?: (text: string) => void;
  /** The progress terminal's width, read on every draw (absent: 80). */
  columns?: () => number | undefined;
  env: Record<string, string | undefined>;
  /** Tests point the clients at the stand-in and shorten retries. */
  clientOptions?: AwsClientOptions;
  /** Tests shorten the verification and propagation waits. */
  fastWaits?: boolean;
}

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
