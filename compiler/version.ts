/** gradc's version, written into every generated module's header. */
export const VERSION = '0.1.0';
