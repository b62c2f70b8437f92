// The one table of TensorBoard plugin names (as TensorBoard spells them in SummaryMetadata).
// The reader, the writer, the server's sample caps and the UI all take names from here.

export const PLUGIN = {
  scalars: 'scalars',
  images: 'images',
  histograms: 'histograms',
  text: 'text',
  hparams: 'hparams',
  prCurves: 'pr_curves',
  audio: 'audio',
  graphs: 'graphs',
  customScalars: 'custom_scalars',
} as const;

export type PluginName = (typeof PLUGIN)[keyof typeof PLUGIN];

/** Plugins whose samples `--samples_per_plugin` can cap in the UI (TensorBoard's set). */
export const SAMPLED_PLUGINS = [PLUGIN.scalars, PLUGIN.images, PLUGIN.histograms, PLUGIN.text, PLUGIN.prCurves] as const;

export type SampledPlugin = (typeof SAMPLED_PLUGINS)[number];
