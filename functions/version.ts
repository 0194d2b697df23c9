import { version } from '../package.json';

export const TOOL_NAME = 'hgbr';
export const TOOL_VERSION: string = version;
