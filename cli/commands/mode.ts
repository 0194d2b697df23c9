import { HugeGraphClient, type GraphMode } from '../../functions/hugegraph';
import { credentialsFrom, parseCommandArgs, required } from '../args';
import { UsageError } from '../errors';
import { EXIT_OK, type Command } from '../command';

const HELP = `usage: hgbr mode get --server URL --graph G
       hgbr mode set --server URL --graph G --mode NONE|RESTORING|MERGING

Reads or sets a graph's mode. A restore sets RESTORING or MERGING and puts the mode back itself;
use 'set NONE' only to repair a graph that something else left in another mode.`;

const MODES: readonly GraphMode[] = ['NONE', 'RESTORING', 'MERGING', 'LOADING'];

export const modeCommand: Command = async (argv, output) => {
  const { values, positionals } = parseCommandArgs('mode', argv, { server: { type: 'string' }, graph: { type: 'string' }, mode: { type: 'string' } });
  if (values.help) {
    output.result({ usage: HELP }, HELP);
    return EXIT_OK;
  }
  const [action, ...extra] = positionals;
  if ((action !== 'get' && action !== 'set') || extra.length) throw new UsageError("hgbr mode: say 'get' or 'set'");
  const client = await HugeGraphClient.connect({
    url: required('mode', values, 'server'),
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
    if (!MODES.includes(wanted)) throw new UsageError(`hgbr mode set: --mode must be one of ${MODES.join(', ')}, got '${values.mode}'`);
    const before = await client.getMode();
    const after = await client.setMode(wanted);
    output.result({ ok: true, graph: values.graph, before, mode: after }, `mode of ${values.graph}: ${before} → ${after}`);
    return EXIT_OK;
  } finally {
    await client.close();
  }
};
