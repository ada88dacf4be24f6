import type { Tx } from '../../../platform/db/database.js';
import type { FilesContext } from '../context.js';
import { numberedName } from '../names.js';

/**
 * The first of "report.pdf", "report (2).pdf", "report (3).pdf"… that no live item in the folder
 * holds, `except` counting as free (a file renamed to its own name). One indexed lookup per
 * candidate: upload-only links drop into folders that grow to many thousands of files, and reading
 * every name of such a folder took ~5 ms at 10,000.
 */
export async function freeChildName(ctx: FilesContext, folderId: string, wanted: string, tx?: Tx, except?: string): Promise<string> {
  let name = wanted;
  for (let n = 2; name !== except && (await ctx.store.liveChild(folderId, name, tx)); n++) name = numberedName(wanted, n);
  return name;
}
