/** The app's entry point, in the sources. */
export declare const CONSOLE_ENTRY: string;
/** The console's assets built from its sources, in memory: file name (app.js, app.css) to contents. */
export declare function buildConsole(entry?: string): Promise<Record<string, Uint8Array>>;
/** Writes the built assets to a directory; answers the files' names. */
export declare function writeConsole(outdir: string, entry?: string): Promise<string[]>;
