import { HugeGraphClient, type GraphMode } from '../../functions/hugegraph';
import { credentialsFrom, parseCommandArgs, required, serverUrl } from '../args';
import { usageError } from '../errors';
import { EXIT_OK, showHelp, type Command } from '../command';

export const HELP = `usage: hgbr mode get --server URL --graph G
       hgbr mode set --server URL --graph G --mode NONE|RESTORING|MERGING|LOADING

Reads or sets a graph's mode. A restore sets RESTORING or MERGING and puts the mode back itself;
use 'set NONE' only to repair a graph that something else left in another mode.`;

const MODES: readonly GraphMode[] = ['NONE', 'RESTORING', 'MERGING', 'LOADING'];

/** The command's own options (the common ones are in cli/args.ts). */
export const OPTIONS = { server: { type: 'string' }, graph: { type: 'string' }, mode: { type: 'string' } } as const;

export const modeCommand: Command = async (argv, output) => {
  const { values, positionals } = parseCommandArgs('mode', argv, OPTIONS, true);
  if (values.help) return showHelp(output, HELP);
  const [action, ...extra] = positionals;
  if ((action !== 'get' && action !== 'set') || extra.length) throw usageError('mode', "say 'get' or 'set': hgbr mode get|set --server URL --graph G");
  const client = await HugeGraphClient.connect({
    url: serverUrl('mode', values, 'server'),
    graph: required('mode', values, 'graph'),
    graphspace: values.graphspace as string | undefined,
    ...credentialsFrom(values),
  });
  try {
    if (action === 'get') {
      const mode = await client.getMode();
      output.result({ ok: true, graph: values.graph, mode }, mode);
      return EXIT_OK;
    }
    const wanted = required('mode', values, 'mode').toUpperCase() as GraphMode;
    if (!MODES.includes(wanted)) throw usageError('mode set', `--mode must be one of ${MODES.join(', ')}, got '${values.mode}'`);
    const before = await client.getMode();
    const after = await client.setMode(wanted);
    output.result({ ok: true, graph: values.graph, before, mode: after }, `mode of ${values.graph}: ${before} → ${after}`);
    return EXIT_OK;
  } finally {
    await client.close();
  }
};
