// Run and tag names, one type each from the event file to the browser.
//
// They are plain strings (no brand): names arrive from files, URLs and JSON, and a brand would only
// move an unchecked cast to each of those doors. The aliases say which string a signature means.

/**
 * A run: the path of its directory relative to the logdir with '/' separators ('.' for the root),
 * prefixed by the --logdir_spec name when there is one. See lib/discovery/rules.ts.
 */
export type RunName = string;

/** A summary tag as the writer spelled it (e.g. 'Loss/train'). */
export type TagName = string;
